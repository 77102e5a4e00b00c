"""Checkouts at once: lapsed holds racing for the last units, and retries of one key."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from core.clock import FrozenClock
from core.inventory import services as inventory
from core.runtime import Runtime
from tests.factories import GraphQLClient
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare


async def test_fifty_carts_with_lapsed_holds_race_for_ten_units(
    runtime: Runtime, gql: GraphQLClient, clock: FrozenClock
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 50}, extra_plugins=(GATEWAY,))
    tokens = [await make_cart(runtime, shop, (1,)) for _ in range(50)]
    for token in tokens:
        await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    clock.advance(timedelta(seconds=shop.channel.reservation_ttl_seconds + 60))
    await inventory.set_stock(
        runtime.uow(),
        variant_id=shop.variants[0],
        location_id=shop.warehouse.id,
        quantity=10,
        reason="count",
        actor="test",
    )

    answers = await asyncio.gather(
        *(checkout(gql, token, key=f"race-checkout-{n:04d}") for n, token in enumerate(tokens))
    )

    placed = [a for a in answers if a["order"] is not None]
    refused = [a for a in answers if a["order"] is None]
    assert len(placed) == 10
    assert len(refused) == 40
    assert {e["code"] for a in refused for e in a["errors"]} == {"INSUFFICIENT_STOCK"}
    async with runtime.reads.connect() as connection:
        level: Any = (
            await connection.execute(
                text("SELECT on_hand, reserved FROM stock_levels WHERE variant_id = :v"),
                {"v": shop.variants[0]},
            )
        ).one()
        on_hand, held = level[0], level[1]
        orders = (await connection.execute(text("SELECT count(*) FROM orders"))).scalar()
    assert (on_hand, held, orders) == (10, 10, 10)


async def test_eight_concurrent_retries_of_one_key_place_one_order(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (2,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})

    answers = await asyncio.gather(
        *(checkout(gql, token, key="one-key-for-all-retries") for _ in range(8))
    )

    assert all(a["errors"] == [] for a in answers), answers
    assert len({a["order"]["number"] for a in answers}) == 1
    assert len({a["orderToken"] for a in answers}) == 1
    assert sorted(a["replayed"] for a in answers) == [False] + [True] * 7
    first = answers[0]["order"]
    assert all(a["order"] == first for a in answers)
    async with runtime.reads.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM orders"))).scalar() == 1
