"""The outbox: published events written in the committing transaction, in one statement,
never on rollback, delivered on their topic.

Runs on SQLite and PostgreSQL (the in-process bus on one, LISTEN/NOTIFY on the other).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from core.errors import DomainError
from core.events.bus import BusMessage
from core.ids import LocationId, VariantId
from core.inventory import services
from core.inventory.events import STOCK_TOPIC, ReservationsExpired, StockChangeCause, StockChanged
from core.inventory.model import OwnerKind
from core.inventory.reservations import reserve_for_channel
from core.runtime import Runtime
from tests.factories import (
    CART_TOPIC,
    DELIVERY_TIMEOUT,
    CartChanged,
    StatementCounter,
    StoredEvent,
    make_shop,
    stored_events,
)


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()  # the LISTEN connection, on PostgreSQL


async def test_a_commit_writes_its_published_events_to_the_outbox(runtime: Runtime) -> None:
    shop = await make_shop(runtime)
    before = len(await stored_events(runtime))

    await services.set_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.store.id,
        quantity=7,
        reason="count",
        actor="alice",
    )

    assert (await stored_events(runtime))[before:] == [
        StoredEvent(
            topic=STOCK_TOPIC,
            subject_ids=[shop.variant_id],
            payload={
                "variant_id": shop.variant_id,
                "location_ids": [shop.store.id],
                "cause": "set",
            },
            created_at=runtime.clock.now(),
        )
    ]


async def test_events_that_are_not_published_stay_out_of_the_outbox(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        uow.record(ReservationsExpired(reservations=()))
        await uow.commit()

    assert await stored_events(runtime) == []
    assert uow.committed_events == [ReservationsExpired(reservations=())]


async def test_nothing_is_written_when_the_transaction_rolls_back(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=1)
    before = await stored_events(runtime)

    async with runtime.uow() as uow:
        uow.record(CartChanged(cart_id=1, version=2))
        # Leaving without commit() rolls back.
    with pytest.raises(DomainError):
        await reserve_for_channel(  # records nothing before refusing, then rolls back
            runtime.uow(),
            channel_id=shop.channel.id,
            owner_kind=OwnerKind.CART,
            owner_id="cart-1",
            variant_id=shop.variant_id,
            quantity=5,
            ttl_seconds=60,
        )

    assert await stored_events(runtime) == before


async def test_the_events_are_written_inside_the_transaction_that_commits_the_change(
    runtime: Runtime, engine: AsyncEngine
) -> None:
    shop = await make_shop(runtime)
    # Statements and commits in the order the database received them, per connection.
    received: list[tuple[int, str]] = []

    def on_statement(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        received.append((id(connection.connection.dbapi_connection), statement.lstrip()))

    def on_commit(connection: Any) -> None:
        received.append((id(connection.connection.dbapi_connection), "COMMIT"))

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        await services.set_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.store.id,
            quantity=7,
            reason="count",
            actor="alice",
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
        event.remove(engine.sync_engine, "commit", on_commit)

    change = next(i for i, (_, sql) in enumerate(received) if sql.startswith("UPDATE stock_levels"))
    writer = received[change][0]
    after_change = [sql for connection, sql in received[change + 1 :] if connection == writer]
    outbox_write = next(i for i, sql in enumerate(after_change) if "outbox_events" in sql)
    assert "COMMIT" not in after_change[:outbox_write]
    assert after_change[outbox_write + 1 :].count("COMMIT") >= 1
    if engine.dialect.name == "postgresql":
        assert "pg_notify" in after_change[outbox_write]  # the NOTIFY commits with the rows


async def test_a_commit_writes_all_its_events_with_one_statement(
    runtime: Runtime, count_statements: StatementCounter
) -> None:
    async with runtime.uow() as uow:
        await uow.commit()
    without_events = count_statements.count
    count_statements.reset()

    async with runtime.uow() as uow:
        uow.record(CartChanged(cart_id=1, version=1))
        uow.record(StockChanged(VariantId(2), (LocationId(3),), StockChangeCause.ADJUSTED))
        uow.record(CartChanged(cart_id=1, version=2))
        uow.record(ReservationsExpired(reservations=()))
        await uow.commit()

    assert count_statements.count == without_events + 1
    assert [event.topic for event in await stored_events(runtime)] == ["cart", "stock", "cart"]


async def test_a_commit_with_thousands_of_events_writes_them_all_in_order(
    runtime: Runtime,
) -> None:
    events = [CartChanged(cart_id=n, version=1) for n in range(1, 2502)]

    async with runtime.uow() as uow:
        for cart_changed in events:
            uow.record(cart_changed)
        await uow.commit()

    stored = await stored_events(runtime)
    assert [event.subject_ids for event in stored] == [[n.cart_id] for n in events]


async def test_a_new_event_type_reaches_the_subscribers_of_its_topic_only(
    runtime: Runtime,
) -> None:
    shop = await make_shop(runtime)

    async with (
        runtime.bus.subscribe(CART_TOPIC) as carts,
        runtime.bus.subscribe(STOCK_TOPIC) as stock,
    ):
        async with runtime.uow() as uow:
            uow.record(CartChanged(cart_id=41, version=3))
            await uow.commit()
        cart_message = await asyncio.wait_for(anext(carts), DELIVERY_TIMEOUT)
        await services.set_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.store.id,
            quantity=2,
            reason="count",
            actor="alice",
        )
        # Commits arrive in order: had the cart event reached stock, it would come first.
        stock_message = await asyncio.wait_for(anext(stock), DELIVERY_TIMEOUT)

    assert cart_message == BusMessage(CART_TOPIC, frozenset({41}))
    assert stock_message == BusMessage(STOCK_TOPIC, frozenset({shop.variant_id}))
