"""No interleaving of concurrent requests oversells (issue 4, point 6)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.inventory import reservations, services
from core.inventory.model import OwnerKind, Reservation
from core.inventory.tables import ReservationRow
from core.runtime import Runtime
from tests.factories import availability, make_channel, make_shop, stored


async def test_a_hundred_concurrent_reservations_of_ten_units_take_exactly_ten(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, warehouse=6, store=4)

    async def attempt(number: int) -> tuple[Reservation, ...] | ErrorCode:
        # A separate unit of work (its own connection and transaction) per attempt.
        try:
            return await reservations.reserve_for_channel(
                runtime.uow(),
                channel_id=shop.channel.id,
                owner_kind=OwnerKind.CART,
                owner_id=f"cart-{number}",
                variant_id=shop.variant_id,
                quantity=1,
                ttl_seconds=600,
            )
        except DomainError as error:
            return error.problems[0].code

    results = await asyncio.gather(*(attempt(number) for number in range(100)))

    taken = [result for result in results if isinstance(result, tuple)]
    refused = [result for result in results if not isinstance(result, tuple)]
    assert len(taken) == 10
    assert refused == [ErrorCode.INSUFFICIENT_STOCK] * 90
    rows = table_of(ReservationRow)
    async with runtime.engine.connect() as connection:
        count, total = (
            await connection.execute(
                select(func.count(), func.coalesce(func.sum(rows.c.quantity), 0))
            )
        ).one()
    assert (count, total) == (10, 10)
    assert (await availability(runtime, shop)).quantity == 0
    levels = (await stored(runtime)).levels
    assert levels[(shop.variant_id, shop.warehouse.id)] == (6, 6)
    assert levels[(shop.variant_id, shop.store.id)] == (4, 4)
    assert all(on_hand >= 0 and 0 <= reserved <= on_hand for on_hand, reserved in levels.values())


async def test_concurrent_writes_in_opposite_location_orders_neither_deadlock_nor_oversell(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, warehouse=20, store=20)
    # A second channel drawing on the same locations the other way round.
    reverse = await make_channel(runtime, slug="reverse", locations=[shop.store, shop.warehouse])

    async def reserve(number: int) -> bool:
        try:
            await reservations.reserve_for_channel(
                runtime.uow(),
                channel_id=(shop.channel if number % 2 else reverse).id,
                owner_kind=OwnerKind.CART,
                owner_id=f"cart-{number}",
                variant_id=shop.variant_id,
                quantity=3,
                ttl_seconds=600,
            )
        except DomainError:
            return False
        return True

    async def sell(number: int) -> bool:
        try:
            await services.record_sale(
                runtime.uow(),
                variant_id=shop.variant_id,
                location_id=(shop.store if number % 2 else shop.warehouse).id,
                quantity=1,
                actor="till",
            )
        except DomainError:
            return False
        return True

    results = await asyncio.gather(
        *(reserve(number) for number in range(30)),
        *(sell(number) for number in range(20)),
        *(reservations.expire_reservations(runtime.uow()) for _ in range(5)),
    )

    reserved = sum(3 for ok in results[:30] if ok)
    sold = sum(1 for ok in results[30:50] if ok)
    assert reserved + sold <= 40
    levels = (await stored(runtime)).levels
    on_hand = sum(level[0] for level in levels.values())
    assert on_hand == 40 - sold
    assert sum(level[1] for level in levels.values()) == reserved
    assert all(0 <= r <= o for o, r in levels.values())
    assert (await availability(runtime, shop)).quantity == 40 - sold - reserved
