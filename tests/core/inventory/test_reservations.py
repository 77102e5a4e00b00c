"""Reservations for a channel: split across its locations, all or nothing, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import FrozenClock
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId, VariantId
from core.inventory import queries, reservations, services
from core.inventory.events import (
    ReservationsExpired,
    ReservationsReleased,
    StockChangeCause,
    StockChanged,
    StockReserved,
)
from core.inventory.model import OwnerKind, Reservation
from core.runtime import Runtime
from tests.factories import Shop, availability, make_shop, row_counts, stored


def codes(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[ErrorCode, str | None]]:
    return {(problem.code, problem.field) for problem in error.value.problems}


async def reserve(
    runtime: Runtime,
    shop: Shop,
    quantity: int,
    *,
    owner_id: str = "cart-1",
    ttl_seconds: int = 600,
) -> tuple[Reservation, ...]:
    return await reservations.reserve_for_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.CART,
        owner_id=owner_id,
        variant_id=shop.variant_id,
        quantity=quantity,
        ttl_seconds=ttl_seconds,
    )


async def test_a_reservation_splits_across_locations_in_priority_order(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3, store=4)
    uow = runtime.uow()

    taken = await reservations.reserve_for_channel(
        uow,
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.CART,
        owner_id="cart-1",
        variant_id=shop.variant_id,
        quantity=5,
        ttl_seconds=600,
    )

    assert [(r.location_id, r.quantity) for r in taken] == [
        (shop.warehouse.id, 3),
        (shop.store.id, 2),
    ]
    assert {r.expires_at for r in taken} == {runtime.clock.now() + timedelta(seconds=600)}
    channel = await availability(runtime, shop)
    assert channel.quantity == 2
    assert [(a.location_id, a.available) for a in channel.locations] == [
        (shop.warehouse.id, 0),
        (shop.store.id, 2),
    ]
    assert uow.committed_events == [
        StockChanged(
            shop.variant_id,
            tuple(sorted((shop.warehouse.id, shop.store.id))),
            StockChangeCause.RESERVED,
        ),
        StockReserved(OwnerKind.CART, "cart-1", taken),
    ]


async def test_reserving_more_than_the_channel_has_reserves_nothing(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3, store=4)
    before = await stored(runtime)
    counts = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await reserve(runtime, shop, 8)

    assert codes(error) == {(ErrorCode.INSUFFICIENT_STOCK, "quantity")}
    assert "7 of 8" in str(error.value)
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


async def test_bad_reservation_input_is_reported_and_writes_nothing(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3)
    counts = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await reservations.reserve_for_channel(
            runtime.uow(),
            channel_id=ChannelId(999_999),
            owner_kind=OwnerKind.ORDER,
            owner_id="",
            variant_id=VariantId(999_999),
            quantity=0,
            ttl_seconds=0,
        )

    assert codes(error) == {
        (ErrorCode.UNKNOWN_CHANNEL, "channel_id"),
        (ErrorCode.UNKNOWN_VARIANT, "variant_id"),
        (ErrorCode.INVALID_QUANTITY, "quantity"),
        (ErrorCode.INVALID, "ttl_seconds"),
        (ErrorCode.REQUIRED, "owner_id"),
    }
    assert await row_counts(runtime) == counts
    assert (await availability(runtime, shop)).quantity == 3


async def test_releasing_gives_the_owners_stock_back(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3, store=4)
    mine = await reserve(runtime, shop, 5, owner_id="cart-1")
    await reserve(runtime, shop, 1, owner_id="cart-2")
    uow = runtime.uow()

    released = await reservations.release_reservations(
        uow, owner_kind=OwnerKind.CART, owner_id="cart-1", variant_id=shop.variant_id
    )

    assert released == mine
    assert (await availability(runtime, shop)).quantity == 6
    assert uow.committed_events[0] == ReservationsReleased(OwnerKind.CART, "cart-1", mine)
    assert (
        await reservations.release_reservations(
            runtime.uow(), owner_kind=OwnerKind.CART, owner_id="cart-1"
        )
        == ()
    )
    async with runtime.reads.connect() as connection:
        left = await queries.reservations_by_owner(
            connection, owner_kind=OwnerKind.CART, owner_id="cart-2"
        )
    assert [r.quantity for r in left] == [1]


async def test_expired_reservations_stop_counting_at_once(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    await reserve(runtime, shop, 10, ttl_seconds=60)
    assert (await availability(runtime, shop)).quantity == 0

    clock.set(clock.now() + timedelta(seconds=60))

    assert (await availability(runtime, shop)).quantity == 10
    again = await reserve(runtime, shop, 10, owner_id="cart-2")
    assert [r.quantity for r in again] == [10]
    assert (await stored(runtime)).levels[(shop.variant_id, shop.warehouse.id)] == (10, 10)


async def test_a_write_releases_expired_reservations_and_records_it(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    expired = await reserve(runtime, shop, 6, ttl_seconds=60)
    clock.set(clock.now() + timedelta(seconds=61))
    uow = runtime.uow()

    await services.adjust_stock(
        uow,
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        delta=-8,
        reason="damaged",
        actor="alice",
    )

    assert ReservationsExpired(expired) in uow.committed_events
    assert (await stored(runtime)).levels[(shop.variant_id, shop.warehouse.id)] == (2, 0)
    assert (await stored(runtime)).reservations == []


async def test_the_sweep_deletes_expired_reservations_and_records_events(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime, warehouse=3, store=4)
    short = await reserve(runtime, shop, 5, owner_id="cart-1", ttl_seconds=60)
    long = await reserve(runtime, shop, 1, owner_id="cart-2", ttl_seconds=600)
    clock.set(clock.now() + timedelta(seconds=120))
    uow = runtime.uow()

    swept = await reservations.expire_reservations(uow, now=clock.now())

    assert swept == short
    assert uow.committed_events == [
        ReservationsExpired(short),
        StockChanged(
            shop.variant_id,
            tuple(sorted((shop.warehouse.id, shop.store.id))),
            StockChangeCause.EXPIRED,
        ),
    ]
    after = await stored(runtime)
    assert after.reservations == list(long)
    assert after.levels[(shop.variant_id, shop.store.id)] == (4, 1)
    assert after.levels[(shop.variant_id, shop.warehouse.id)] == (3, 0)
    assert await reservations.expire_reservations(runtime.uow(), now=clock.now()) == ()
