"""Cart use cases on the real database: lines, stock held, versions, idempotency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.carts import services
from core.carts.services import Caller, CartLimits, Guard, LineInput, LineQuantity
from core.channels import services as channels
from core.channels.model import EnabledPlugin
from core.clock import FrozenClock
from core.config import Settings
from core.db.reads import Reads
from core.errors import DomainError, ErrorCode, PluginError
from core.events.bus import BusMessage
from core.events.model import PublishedEvent
from core.ids import CartLineId, VariantId
from core.inventory.events import STOCK_TOPIC
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories import (
    DELIVERY_TIMEOUT,
    FailingPlugin,
    availability,
    make_customer,
    make_shop,
    make_store,
    row_counts,
    stored,
    stored_events,
)


def codes(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[ErrorCode, str | None]]:
    return {(problem.code, problem.field) for problem in error.value.problems}


async def test_a_new_cart_holds_stock_for_its_lines_and_prices_them(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=3, store=4)

    result = await services.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        lines=[LineInput(shop.variant_id, 5)],
        email="ann@example.com",
    )

    cart = result.cart
    assert result.token is not None and result.token.startswith("omct_")
    assert cart.cart.version == 1
    assert [(line.variant_id, line.quantity) for line in cart.cart.lines] == [(shop.variant_id, 5)]
    assert cart.cost.subtotal_amount.amount_string() == "50.00"
    assert cart.cost.total_amount.amount_string() == "50.00"
    assert (await availability(runtime, shop)).quantity == 2
    held = await stored(runtime)
    assert sorted((r.location_id, r.quantity) for r in held.reservations) == [
        (shop.warehouse.id, 3),
        (shop.store.id, 2),
    ]
    assert {r.owner_id for r in held.reservations} == {str(cart.cart.id)}


async def test_adding_a_variant_already_in_the_cart_increments_its_line(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=10)
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )
    assert created.token

    added = await services.add_lines(
        runtime.uow(), token=created.token, lines=[LineInput(shop.variant_id, 2)]
    )

    assert [line.quantity for line in added.cart.cart.lines] == [3]
    assert added.cart.cart.version == 2
    assert (await availability(runtime, shop)).quantity == 7
    # One hold per cart, variant and location, grown in place (not a row per add).
    held = (await stored(runtime)).reservations
    assert [(r.owner_id, r.quantity) for r in held] == [(str(added.cart.cart.id), 3)]


async def test_bad_input_changes_nothing(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=2)
    created = await services.create_cart(runtime.uow(), channel_id=shop.channel.id)
    assert created.token
    before = await row_counts(runtime)

    for lines, expected in (
        ([LineInput(shop.variant_id, 0)], (ErrorCode.INVALID_QUANTITY, "lines.0.quantity")),
        ([LineInput(shop.variant_id, 1000)], (ErrorCode.INVALID_QUANTITY, "lines.0.quantity")),
        ([LineInput(VariantId(999_999), 1)], (ErrorCode.UNKNOWN_VARIANT, "lines.0.variant_id")),
        ([LineInput(shop.variant_id, 3)], (ErrorCode.INSUFFICIENT_STOCK, "lines.0.quantity")),
    ):
        with pytest.raises(DomainError) as error:
            await services.add_lines(runtime.uow(), token=created.token, lines=lines)
        assert expected in codes(error)
    with pytest.raises(DomainError) as error:
        await services.add_lines(runtime.uow(), token="omct_nope", lines=[])
    assert (ErrorCode.INVALID_CART_TOKEN, "token") in codes(error)
    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(), token="omct_" + "A" * 43, lines=[LineInput(shop.variant_id, 1)]
        )
    assert codes(error) == {(ErrorCode.CART_NOT_FOUND, "token")}

    assert await row_counts(runtime) == before
    cart = await services.read_cart(runtime.uow(), created.token, Caller())
    assert cart is not None and cart.cart.version == 1


async def test_a_stale_expected_version_is_refused(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=10)
    created = await services.create_cart(runtime.uow(), channel_id=shop.channel.id)
    assert created.token
    await services.add_lines(
        runtime.uow(),
        token=created.token,
        lines=[LineInput(shop.variant_id, 1)],
        guard=Guard(expected_version=1),
    )

    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(),
            token=created.token,
            lines=[LineInput(shop.variant_id, 1)],
            guard=Guard(expected_version=1),
        )

    assert codes(error) == {(ErrorCode.CART_VERSION_CONFLICT, "expected_version")}


async def test_a_retried_request_applies_once(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=10)
    created = await services.create_cart(runtime.uow(), channel_id=shop.channel.id)
    assert created.token
    guard = Guard(idempotency_key="4f1c9a52-0d7e-4b6f-9a51-6c2f0e8b7d31")

    first = await services.add_lines(
        runtime.uow(), token=created.token, lines=[LineInput(shop.variant_id, 2)], guard=guard
    )
    again = await services.add_lines(
        runtime.uow(), token=created.token, lines=[LineInput(shop.variant_id, 2)], guard=guard
    )

    assert not first.replayed and again.replayed
    assert again.cart.cart.version == first.cart.cart.version == 2
    assert [line.quantity for line in again.cart.cart.lines] == [2]
    assert (await availability(runtime, shop)).quantity == 8
    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(), token=created.token, lines=[LineInput(shop.variant_id, 3)], guard=guard
        )
    assert codes(error) == {(ErrorCode.IDEMPOTENCY_KEY_REUSED, "idempotency_key")}


async def test_a_retried_create_returns_the_same_cart_and_token(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=10)
    key = "create-7c0e1f35-5d8a-4c86-bf2e"

    first = await services.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        lines=[LineInput(shop.variant_id, 1)],
        idempotency_key=key,
    )
    again = await services.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        lines=[LineInput(shop.variant_id, 1)],
        idempotency_key=key,
    )

    assert again.replayed and again.token == first.token
    assert again.cart.cart.id == first.cart.cart.id
    assert (await availability(runtime, shop)).quantity == 9
    assert (await row_counts(runtime))["carts"] == 1


async def test_update_and_remove_give_stock_back(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=10)
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 4)]
    )
    assert created.token
    line = created.cart.cart.lines[0]

    lowered = await services.update_lines(
        runtime.uow(), token=created.token, lines=[LineQuantity(line.id, 1)]
    )
    assert [li.quantity for li in lowered.cart.cart.lines] == [1]
    assert (await availability(runtime, shop)).quantity == 9

    raised = await services.update_lines(
        runtime.uow(), token=created.token, lines=[LineQuantity(line.id, 6)]
    )
    assert [li.quantity for li in raised.cart.cart.lines] == [6]
    assert (await availability(runtime, shop)).quantity == 4

    removed = await services.remove_lines(runtime.uow(), token=created.token, line_ids=[line.id])
    assert removed.cart.cart.lines == ()
    assert removed.cart.cart.version == 4
    assert (await availability(runtime, shop)).quantity == 10
    assert (await stored(runtime)).reservations == []


async def test_a_customers_cart_is_hidden_from_other_customers(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=10)
    ann = await make_customer(runtime)
    bob = await make_customer(runtime, email="bob@example.com")
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, caller=Caller(ann.id)
    )
    assert created.token

    assert await services.read_cart(runtime.uow(), created.token, Caller(bob.id)) is None
    assert await services.read_cart(runtime.uow(), created.token, Caller(ann.id))
    assert await services.read_cart(runtime.uow(), created.token, Caller())
    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(),
            token=created.token,
            lines=[LineInput(shop.variant_id, 1)],
            caller=Caller(bob.id),
        )
    assert codes(error) == {(ErrorCode.CART_NOT_FOUND, "token")}


async def test_concurrent_adds_from_many_devices_all_land(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=100)
    created = await services.create_cart(runtime.uow(), channel_id=shop.channel.id)
    token = created.token
    assert token

    async def add() -> None:
        await services.add_lines(runtime.uow(), token=token, lines=[LineInput(shop.variant_id, 1)])

    await asyncio.gather(*(add() for _ in range(30)))

    cart = await services.read_cart(runtime.uow(), token, Caller())
    assert cart is not None
    assert [line.quantity for line in cart.cart.lines] == [30]
    assert cart.cart.version == 31
    assert (await availability(runtime, shop)).quantity == 70


async def test_a_failing_pricing_plugin_writes_nothing(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> None:
    plugins = PluginHost.load(extra={"boom": FailingPlugin()})
    runtime = Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)
    shop = await make_shop(runtime, warehouse=5)
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )
    assert created.token
    await channels.update_channel(
        runtime.uow(), channel_id=shop.channel.id, plugins=[EnabledPlugin("boom", {})]
    )
    before = await row_counts(runtime)

    with pytest.raises(PluginError):
        await services.add_lines(
            runtime.uow(), token=created.token, lines=[LineInput(shop.variant_id, 2)]
        )
    with pytest.raises(PluginError):
        await services.create_cart(
            runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
        )

    assert await row_counts(runtime) == before
    assert (await availability(runtime, shop)).quantity == 4


async def test_line_limits_unknown_lines_and_expired_carts_are_refused(runtime: Runtime) -> None:
    store = await make_store(runtime, variants=3, stock=10)
    created = await services.create_cart(
        runtime.uow(), channel_id=store.channel.id, lines=[LineInput(store.variants[0], 1)]
    )
    assert created.token
    limits = CartLimits(max_line_quantity=5, max_lines=2)
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(),
            token=created.token,
            lines=[LineInput(store.variants[1], 1), LineInput(store.variants[2], 1)],
            limits=limits,
        )
    assert codes(error) == {(ErrorCode.TOO_MANY_LINES, "lines")}
    with pytest.raises(DomainError) as error:
        await services.update_lines(
            runtime.uow(), token=created.token, lines=[LineQuantity(CartLineId(987654), 1)]
        )
    assert codes(error) == {(ErrorCode.UNKNOWN_LINE, "lines.0.line_id")}
    assert await row_counts(runtime) == before

    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(seconds=store.channel.cart_ttl_seconds + 1))
    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(), token=created.token, lines=[LineInput(store.variants[0], 1)]
        )
    assert codes(error) == {(ErrorCode.CART_EXPIRED, "token")}


async def test_adds_write_each_event_to_the_outbox_once_as_recorded(runtime: Runtime) -> None:
    # On PostgreSQL the first add takes its unit in the statement that also writes the
    # outbox (core.carts.fast_add); the second needs 3 where the warehouse has 1 left,
    # so its guard fails and it plans across locations the locked way.
    shop = await make_shop(runtime, warehouse=2, store=5)
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )
    assert created.token is not None
    written_before = len(await stored_events(runtime))
    recorded = []

    for quantity in (1, 3):
        uow = runtime.uow()
        await services.add_lines(
            uow, token=created.token, lines=[LineInput(shop.variant_id, quantity)]
        )
        recorded += [e for e in uow.committed_events if isinstance(e, PublishedEvent)]

    written = (await stored_events(runtime))[written_before:]
    assert [(e.topic, e.subject_ids, e.payload) for e in written] == [
        (e.topic, list(e.subject_ids()), e.payload()) for e in recorded
    ]
    stock_events = [e.payload for e in written if e.topic == STOCK_TOPIC]
    assert len(stock_events) == 2
    assert stock_events[0] == {  # built by the statement: as StockChanged.payload() is
        "variant_id": shop.variant_id,
        "location_ids": [shop.warehouse.id],
        "cause": "reserved",
    }
    assert (await availability(runtime, shop)).quantity == 2  # 7 on hand, 5 in the cart


async def test_an_add_notifies_stock_subscribers_in_every_process(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=5)
    created = await services.create_cart(runtime.uow(), channel_id=shop.channel.id, lines=[])
    assert created.token is not None

    try:
        async with runtime.bus.subscribe(STOCK_TOPIC) as stock:
            await services.add_lines(
                runtime.uow(), token=created.token, lines=[LineInput(shop.variant_id, 1)]
            )
            message = await asyncio.wait_for(anext(stock), DELIVERY_TIMEOUT)
    finally:
        await runtime.bus.close()

    assert message == BusMessage(STOCK_TOPIC, frozenset({shop.variant_id}))
