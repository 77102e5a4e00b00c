"""On-hand stock: counts, adjustments, point-of-sale sales and transfers, with their log."""

from __future__ import annotations

import pytest

from core.errors import DomainError, ErrorCode
from core.ids import LocationId, VariantId
from core.inventory import queries, reservations, services
from core.inventory.events import StockChangeCause, StockChanged
from core.inventory.input_checks import MAX_COUNTS
from core.inventory.model import MovementKind, OwnerKind, StockCount
from core.runtime import Runtime
from tests.factories import Shop, availability, make_product, make_shop, row_counts, stored


def codes(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[ErrorCode, str | None]]:
    return {(problem.code, problem.field) for problem in error.value.problems}


async def test_setting_stock_creates_the_level_and_logs_who_and_why(runtime: Runtime) -> None:
    shop = await make_shop(runtime)
    uow = runtime.uow()

    movement = await services.set_stock(
        uow,
        variant_id=shop.variant_id,
        location_id=shop.store.id,
        quantity=7,
        reason="stock take",
        actor="alice",
    )

    assert (movement.kind, movement.delta, movement.on_hand_after) == (MovementKind.SET, 7, 7)
    assert (movement.reason, movement.actor, movement.created_at) == (
        "stock take",
        "alice",
        runtime.clock.now(),
    )
    assert (await availability(runtime, shop)).quantity == 7
    assert uow.committed_events == [
        StockChanged(shop.variant_id, (shop.store.id,), StockChangeCause.SET)
    ]
    async with runtime.reads.connect() as connection:
        log = await queries.stock_movements(connection, variant_id=shop.variant_id)
    assert log == [movement]


async def second_variant(runtime: Runtime, shop: Shop) -> VariantId:
    product = await make_product(runtime, channel=shop.channel, slug="web-cap")
    return product.variants[0].id


async def test_a_stock_count_sets_every_counted_variant_and_logs_each_count(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, store=4)
    cap = await second_variant(runtime, shop)
    uow = runtime.uow()

    movements = await services.count_stock(
        uow,
        location_id=shop.store.id,
        counts=[StockCount(cap, 9), StockCount(shop.variant_id, 4)],
        reason="stock take",
        actor="alice",
    )

    assert [(m.variant_id, m.kind, m.delta, m.on_hand_after) for m in movements] == [
        (cap, MovementKind.SET, 9, 9),
        (shop.variant_id, MovementKind.SET, 0, 4),  # the count confirmed the figure
    ]
    assert {(m.location_id, m.reason, m.actor, m.created_at) for m in movements} == {
        (shop.store.id, "stock take", "alice", runtime.clock.now())
    }
    levels = (await stored(runtime)).levels
    assert levels[(cap, shop.store.id)] == (9, 0)
    assert levels[(shop.variant_id, shop.store.id)] == (4, 0)
    assert uow.committed_events == [
        StockChanged(variant_id, (shop.store.id,), StockChangeCause.SET)
        for variant_id in sorted((shop.variant_id, cap))
    ]
    async with runtime.reads.connect() as connection:
        log = await queries.stock_movements(connection, variant_id=cap)
    assert log == [movements[0]]


async def test_a_stock_count_below_what_is_reserved_counts_nothing(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=5)
    cap = await second_variant(runtime, shop)
    await reservations.reserve_for_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.CART,
        owner_id="cart-1",
        variant_id=shop.variant_id,
        quantity=4,
        ttl_seconds=600,
    )
    before = await stored(runtime)
    counts = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.count_stock(
            runtime.uow(),
            location_id=shop.warehouse.id,
            counts=[StockCount(cap, 12), StockCount(shop.variant_id, 3)],
            reason="count",
            actor="alice",
        )

    assert codes(error) == {(ErrorCode.INSUFFICIENT_STOCK, "counts.1.quantity")}
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


async def test_a_stock_count_reports_each_bad_count_by_its_place(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3)
    counts = await row_counts(runtime)

    with pytest.raises(DomainError) as bad_counts:
        await services.count_stock(
            runtime.uow(),
            location_id=LocationId(999_999),
            counts=[
                StockCount(shop.variant_id, 2),
                StockCount(VariantId(999_999), 1),
                StockCount(shop.variant_id, -1),
            ],
            reason="count",
            actor="",
        )
    with pytest.raises(DomainError) as no_counts:
        await services.count_stock(
            runtime.uow(), location_id=shop.warehouse.id, counts=[], reason="count", actor="al"
        )
    with pytest.raises(DomainError) as too_many:
        await services.count_stock(
            runtime.uow(),
            location_id=shop.warehouse.id,
            counts=[StockCount(VariantId(n), 1) for n in range(1, MAX_COUNTS + 2)],
            reason="count",
            actor="al",
        )

    assert codes(bad_counts) == {
        (ErrorCode.UNKNOWN_LOCATION, "location_id"),
        (ErrorCode.UNKNOWN_VARIANT, "counts.1.variant_id"),
        (ErrorCode.INVALID_QUANTITY, "counts.2.quantity"),
        (ErrorCode.INVALID, "counts.2.variant_id"),  # counted twice
        (ErrorCode.REQUIRED, "actor"),
    }
    assert codes(no_counts) == {(ErrorCode.REQUIRED, "counts")}
    assert codes(too_many) == {(ErrorCode.INVALID, "counts")}
    assert await row_counts(runtime) == counts


async def test_adjusting_adds_and_removes_stock(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=5)

    added = await services.adjust_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        delta=3,
        reason="delivery",
        actor="bob",
    )
    removed = await services.adjust_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        delta=-6,
        reason="damaged",
        actor="bob",
    )

    assert (added.delta, added.on_hand_after) == (3, 8)
    assert (removed.delta, removed.on_hand_after) == (-6, 2)
    assert (await stored(runtime)).levels[(shop.variant_id, shop.warehouse.id)] == (2, 0)


async def test_stock_cannot_be_set_or_adjusted_below_what_is_reserved(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=5)
    await reservations.reserve_for_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.CART,
        owner_id="cart-1",
        variant_id=shop.variant_id,
        quantity=4,
        ttl_seconds=600,
    )
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as set_error:
        await services.set_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.warehouse.id,
            quantity=3,
            reason="count",
            actor="alice",
        )
    with pytest.raises(DomainError) as adjust_error:
        await services.adjust_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.warehouse.id,
            delta=-2,
            reason="damaged",
            actor="alice",
        )

    assert codes(set_error) == {(ErrorCode.INSUFFICIENT_STOCK, "quantity")}
    assert codes(adjust_error) == {(ErrorCode.INSUFFICIENT_STOCK, "delta")}
    assert await row_counts(runtime) == before
    assert (await stored(runtime)).levels[(shop.variant_id, shop.warehouse.id)] == (5, 4)


async def test_a_sale_takes_unreserved_stock_at_once(runtime: Runtime) -> None:
    shop = await make_shop(runtime, store=4)
    uow = runtime.uow()

    movement = await services.record_sale(
        uow, variant_id=shop.variant_id, location_id=shop.store.id, quantity=3, actor="till-2"
    )

    assert (movement.kind, movement.delta, movement.on_hand_after) == (MovementKind.SALE, -3, 1)
    assert (await availability(runtime, shop)).quantity == 1
    assert uow.committed_events == [
        StockChanged(shop.variant_id, (shop.store.id,), StockChangeCause.SOLD)
    ]


async def test_a_sale_of_more_than_the_store_has_is_refused_and_changes_nothing(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime, warehouse=50, store=2)
    before = await stored(runtime)
    counts = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.record_sale(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.store.id,
            quantity=3,
            actor="till-2",
        )

    assert codes(error) == {(ErrorCode.INSUFFICIENT_STOCK, "quantity")}
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


async def test_a_transfer_moves_stock_between_locations(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=10, store=1)
    uow = runtime.uow()

    moved_out, moved_in = await services.transfer_stock(
        uow,
        variant_id=shop.variant_id,
        from_location_id=shop.warehouse.id,
        to_location_id=shop.store.id,
        quantity=4,
        reason="replenish store",
        actor="carol",
    )

    assert (moved_out.kind, moved_out.delta, moved_out.on_hand_after) == (
        MovementKind.TRANSFER_OUT,
        -4,
        6,
    )
    assert (moved_in.kind, moved_in.delta, moved_in.on_hand_after) == (
        MovementKind.TRANSFER_IN,
        4,
        5,
    )
    levels = (await stored(runtime)).levels
    assert levels[(shop.variant_id, shop.warehouse.id)] == (6, 0)
    assert levels[(shop.variant_id, shop.store.id)] == (5, 0)
    assert uow.committed_events == [
        StockChanged(
            shop.variant_id,
            tuple(sorted((shop.warehouse.id, shop.store.id))),
            StockChangeCause.TRANSFERRED,
        )
    ]


async def test_a_transfer_of_more_than_is_available_moves_nothing(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3)
    before = await stored(runtime)
    counts = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.transfer_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            from_location_id=shop.warehouse.id,
            to_location_id=shop.store.id,
            quantity=4,
            reason="replenish store",
            actor="carol",
        )

    assert codes(error) == {(ErrorCode.INSUFFICIENT_STOCK, "quantity")}
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


async def test_bad_input_is_reported_with_codes_and_writes_nothing(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3)
    counts = await row_counts(runtime)
    unknown_variant, unknown_location = VariantId(999_999), LocationId(999_999)

    with pytest.raises(DomainError) as set_error:
        await services.set_stock(
            runtime.uow(),
            variant_id=unknown_variant,
            location_id=unknown_location,
            quantity=-1,
            reason=" ",
            actor="",
        )
    with pytest.raises(DomainError) as adjust_error:
        await services.adjust_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.warehouse.id,
            delta=0,
            reason="nothing",
            actor="alice",
        )
    with pytest.raises(DomainError) as sale_error:
        await services.record_sale(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=unknown_location,
            quantity=0,
            actor="till",
        )
    with pytest.raises(DomainError) as transfer_error:
        await services.transfer_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            from_location_id=shop.warehouse.id,
            to_location_id=shop.warehouse.id,
            quantity=1,
            reason="x" * 501,
            actor="alice",
        )

    assert codes(set_error) == {
        (ErrorCode.INVALID_QUANTITY, "quantity"),
        (ErrorCode.REQUIRED, "reason"),
        (ErrorCode.REQUIRED, "actor"),
        (ErrorCode.UNKNOWN_VARIANT, "variant_id"),
        (ErrorCode.UNKNOWN_LOCATION, "location_id"),
    }
    assert codes(adjust_error) == {(ErrorCode.INVALID_QUANTITY, "delta")}
    assert codes(sale_error) == {
        (ErrorCode.INVALID_QUANTITY, "quantity"),
        (ErrorCode.UNKNOWN_LOCATION, "location_id"),
    }
    assert codes(transfer_error) == {
        (ErrorCode.INVALID, "reason"),
        (ErrorCode.INVALID, "to_location_id"),
    }
    assert await row_counts(runtime) == counts
