"""An order's allocations: when the cart holds exactly what the plan takes, its holds
become the order's (one statement); the result must be the stock and reservations that
releasing the holds and taking the plan again gives."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from core.carts.model import Cart
from core.ids import LocationId, OrderId, VariantId
from core.inventory.model import OwnerKind
from core.orders.allocation import NEVER, Allocation, allocate
from core.runtime import Runtime
from core.uow import UnitOfWork
from tests.factories import StatementCounter
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop, read

CASES: dict[str, dict[str, Any]] = {
    "one line from the warehouse": {
        "stock": {(0, "warehouse"): 5},
        "quantities": (2,),
    },
    "two lines": {
        "stock": {(0, "warehouse"): 5, (1, "warehouse"): 1},
        "quantities": (3, 1),
    },
    "a line held at two locations": {
        "stock": {(0, "warehouse"): 1, (0, "centre"): 4, (1, "far"): 2},
        "quantities": (3, 2),
    },
}


async def _state(uow: UnitOfWork, shop: DeliveryShop) -> tuple[list[Any], list[Any]]:
    session = uow.session
    ids = ", ".join(str(v) for v in shop.variants)
    levels = await session.execute(
        text(
            "SELECT variant_id, location_id, on_hand, reserved FROM stock_levels "
            f"WHERE variant_id IN ({ids}) ORDER BY variant_id, location_id"
        )
    )
    held = await session.execute(
        text(
            "SELECT owner_kind, owner_id, variant_id, location_id, quantity, expires_at "
            f"FROM reservations WHERE variant_id IN ({ids}) "
            "ORDER BY owner_kind, owner_id, variant_id, location_id"
        )
    )
    return [tuple(r) for r in levels.all()], [tuple(r) for r in held.all()]


async def _allocate(
    runtime: Runtime, shop: DeliveryShop, cart: Cart, *, reuse_holds: bool
) -> tuple[Any, ...]:
    uow = runtime.uow()
    async with uow:
        holds = await uow.session.execute(
            text(
                "SELECT variant_id, location_id, quantity FROM reservations "
                "WHERE owner_kind = 'cart' AND owner_id = :cart ORDER BY variant_id, location_id"
            ),
            {"cart": str(cart.id)},
        )
        plan = [
            Allocation(VariantId(v), LocationId(loc), q, "lines.0") for v, loc, q in holds.all()
        ]
        taken = await allocate(
            uow, shop.channel, cart, OrderId(4242), plan, reuse_holds=reuse_holds
        )
        state = await _state(uow, shop)
        await uow.rollback()
    answer = sorted(
        (r.owner_kind, r.owner_id, r.variant_id, r.location_id, r.quantity, r.expires_at)
        for r in taken
    )
    return plan, answer, state


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
async def test_handing_holds_over_leaves_what_release_and_take_leave(
    runtime: Runtime, case: dict[str, Any], count_statements: StatementCounter
) -> None:
    shop = await make_delivery_shop(runtime, stock=case["stock"])
    token = await make_cart(runtime, shop, case["quantities"])
    cart = (await read(runtime, token)).cart

    count_statements.reset()
    handed = await _allocate(runtime, shop, cart, reuse_holds=True)
    handing = list(count_statements.statements)
    count_statements.reset()
    taken = await _allocate(runtime, shop, cart, reuse_holds=False)
    taking = list(count_statements.statements)

    # Handing over touches no stock row; releasing and taking does.
    assert not [s for s in handing if s.lstrip().startswith("UPDATE stock_levels")]
    assert [s for s in taking if s.lstrip().startswith("UPDATE stock_levels")]
    assert handed == taken
    plan, answer, (_levels, reservations) = handed
    assert sum(a.quantity for a in plan) == sum(case["quantities"])
    assert [r[0] for r in reservations] == [OwnerKind.ORDER.value] * len(plan)
    assert all(r[5] == NEVER for r in answer)
