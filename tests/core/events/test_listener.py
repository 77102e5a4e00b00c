"""PostgreSQL's listener: notifications carry event ids, and what a listener missed while
its LISTEN connection was gone is replayed from the outbox (not just ``lagged``).

PostgreSQL only (SQLite delivers in process); skipped on SQLite.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from core.db.chain import Chain
from core.events.bus import LISTENER_APPLICATION_NAME, BusMessage, Inbox, PostgresBus
from core.events.outbox import (
    IDS_PER_NOTIFICATION,
    NOTIFY_CHANNEL,
    outbox_parameters,
    outbox_steps,
)
from core.events.outbox import outbox_table as outbox
from core.inventory.events import STOCK_TOPIC
from core.runtime import Runtime
from tests.factories import CART_TOPIC, CartChanged, count_stock, make_shop

DELIVERY_TIMEOUT = 10.0

MakeBus = Callable[..., Awaitable[tuple[PostgresBus, Runtime]]]


@pytest.fixture
def dsn(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY and replay: PostgreSQL only")
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


@pytest.fixture
async def make_bus(dsn: str, settings: Settings, runtime: Runtime) -> AsyncIterator[MakeBus]:
    """A started PostgresBus (own LISTEN connection) and a runtime that writes with it."""
    buses: list[PostgresBus] = []

    async def make(
        *,
        retention_seconds: float = 3600,
        reconnect_delay_seconds: float = 0.5,
        catch_up_seconds: float = 30,
    ) -> tuple[PostgresBus, Runtime]:
        bus = PostgresBus(
            dsn,
            retention_seconds=retention_seconds,
            reconnect_delay_seconds=reconnect_delay_seconds,
            catch_up_seconds=catch_up_seconds,
        )
        buses.append(bus)
        await bus.start()
        return bus, Runtime.build(
            settings,
            engine=runtime.engine,
            reads=runtime.reads,
            clock=runtime.clock,
            plugins=runtime.plugins,
            bus=bus,
        )

    yield make
    for bus in buses:
        await bus.close()


async def next_message(inbox: Inbox) -> BusMessage:
    return await asyncio.wait_for(anext(inbox), DELIVERY_TIMEOUT)


async def outbox_ids(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(outbox.c.id).order_by(outbox.c.id))).scalars())


async def test_the_notification_carries_the_event_ids_and_only_for_commits(
    dsn: str, runtime: Runtime, engine: AsyncEngine
) -> None:
    shop = await make_shop(runtime, warehouse=1)
    before = await outbox_ids(engine)
    listening = await asyncpg.connect(dsn)
    payloads: asyncio.Queue[str] = asyncio.Queue()

    def on_notify(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
        payloads.put_nowait(payload)

    try:
        await listening.add_listener(NOTIFY_CHANNEL, on_notify)
        async with runtime.uow() as uow:
            uow.record(CartChanged(cart_id=1, version=1))
            # Rolled back: its NOTIFY is dropped with it.
        await count_stock(runtime, shop, 5)
        payload = await asyncio.wait_for(payloads.get(), DELIVERY_TIMEOUT)
    finally:
        await listening.close()

    written = [id_ for id_ in await outbox_ids(engine) if id_ not in before]
    assert payload == ",".join(str(id_) for id_ in written)
    assert len(written) == 1


async def test_a_large_commit_splits_its_ids_over_notifications_below_the_size_limit(
    dsn: str, runtime: Runtime, engine: AsyncEngine, make_bus: MakeBus
) -> None:
    bus, _ = await make_bus()
    listening = await asyncpg.connect(dsn)
    payloads: asyncio.Queue[str] = asyncio.Queue()

    def on_notify(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
        payloads.put_nowait(payload)

    try:
        await listening.add_listener(NOTIFY_CHANNEL, on_notify)
        async with bus.subscribe(CART_TOPIC) as inbox:
            async with runtime.uow() as uow:
                for cart_id in range(1, 2 * IDS_PER_NOTIFICATION + 2):
                    uow.record(CartChanged(cart_id=cart_id, version=1))
                await uow.commit()
            received = [await asyncio.wait_for(payloads.get(), DELIVERY_TIMEOUT) for _ in range(3)]
            carts: set[int] = set()
            while len(carts) < 2 * IDS_PER_NOTIFICATION + 1:
                carts |= (await next_message(inbox)).subject_ids
    finally:
        await listening.close()

    notified = sorted(int(id_) for payload in received for id_ in payload.split(","))
    assert notified == await outbox_ids(engine)
    assert max(len(payload.encode()) for payload in received) < 8000
    assert carts == set(range(1, 2 * IDS_PER_NOTIFICATION + 2))


async def test_a_subscriber_of_another_listener_receives_the_event_read_by_id(
    runtime: Runtime, make_bus: MakeBus
) -> None:
    shop = await make_shop(runtime)
    bus, _ = await make_bus()

    async with bus.subscribe(STOCK_TOPIC) as inbox:
        await count_stock(runtime, shop, 3)  # written through the fixture's runtime
        message = await next_message(inbox)

    assert message == BusMessage(STOCK_TOPIC, frozenset({shop.variant_id}))


async def test_a_listener_whose_connection_was_terminated_replays_what_it_missed(
    runtime: Runtime,
    engine: AsyncEngine,
    make_bus: MakeBus,
    caplog: pytest.LogCaptureFixture,
) -> None:
    shop = await make_shop(runtime)
    # Reconnecting takes two seconds: the change below certainly commits meanwhile.
    bus, _ = await make_bus(reconnect_delay_seconds=2.0)
    caplog.set_level(logging.INFO, logger="core.events.bus")

    async with bus.subscribe(STOCK_TOPIC) as inbox:
        async with engine.connect() as connection:
            terminated = (
                (
                    await connection.execute(
                        text(
                            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                            " WHERE application_name = :name AND datname = current_database()"
                        ),
                        {"name": LISTENER_APPLICATION_NAME},
                    )
                )
                .scalars()
                .all()
            )
        await count_stock(runtime, shop, 6)
        message = await next_message(inbox)

    assert terminated == [True]
    assert message == BusMessage(STOCK_TOPIC, frozenset({shop.variant_id}))
    assert "event bus lost its LISTEN connection" in caplog.text
    assert "event bus replayed events=1" in caplog.text


async def test_a_listener_stopped_and_started_again_replays_what_it_missed(
    runtime: Runtime, make_bus: MakeBus
) -> None:
    shop = await make_shop(runtime)
    bus, _ = await make_bus()

    async with bus.subscribe(STOCK_TOPIC) as inbox:
        await bus.close()
        await count_stock(runtime, shop, 4)
        await bus.start()
        message = await next_message(inbox)

    assert message == BusMessage(STOCK_TOPIC, frozenset({shop.variant_id}))


async def test_an_event_with_a_lower_id_committed_while_away_is_replayed_once(
    runtime: Runtime, make_bus: MakeBus
) -> None:
    """Ids are not commit order: id 1 commits after id 2, which was delivered already."""
    bus, _ = await make_bus()

    async with bus.subscribe(CART_TOPIC) as inbox:
        async with runtime.uow() as slow:
            # A transaction that writes its event, then waits before committing.
            await slow.run(
                Chain(outbox_steps(slow.dialect)),
                outbox_parameters(
                    slow.dialect, [CartChanged(cart_id=1, version=1)], now=runtime.clock.now()
                ),
            )
            async with runtime.uow() as uow:
                uow.record(CartChanged(cart_id=2, version=1))
                await uow.commit()
            notified = await next_message(inbox)
            await bus.close()
            await slow.commit()
        # The slow transaction (the lower id) committed while nobody listened.
        await bus.start()
        replayed = await next_message(inbox)

    assert notified == BusMessage(CART_TOPIC, frozenset({2}))
    assert replayed == BusMessage(CART_TOPIC, frozenset({1}))  # and not 2 again


async def test_a_listener_away_longer_than_the_outbox_keeps_events_sends_lagged(
    runtime: Runtime, make_bus: MakeBus
) -> None:
    shop = await make_shop(runtime)
    # A minute of retention is all margin (core.events.replay): nothing is replayable.
    bus, _ = await make_bus(retention_seconds=60)

    async with bus.subscribe(STOCK_TOPIC) as inbox:
        await bus.close()
        await count_stock(runtime, shop, 4)
        await bus.start()
        message = await next_message(inbox)

    assert message == BusMessage(STOCK_TOPIC, lagged=True)


async def test_a_busy_listener_still_catches_up_on_schedule(
    runtime: Runtime, engine: AsyncEngine, make_bus: MakeBus
) -> None:
    bus, _ = await make_bus(catch_up_seconds=0.3)
    received: set[int] = set()

    async with bus.subscribe(CART_TOPIC) as inbox:
        async with engine.begin() as connection:  # a row whose notification never came
            await connection.execute(
                text(
                    "INSERT INTO outbox_events"
                    " (topic, subject_ids, payload, transaction_id, created_at)"
                    " VALUES ('cart', '[99]', '{}', pg_current_xact_id()::text::bigint, now())"
                )
            )
        # Notifications keep coming, more often than the catch-up is due.
        for version in range(50):
            async with runtime.uow() as uow:
                uow.record(CartChanged(cart_id=1, version=version))
                await uow.commit()
            await asyncio.sleep(0.1)
            received.update(*(message.subject_ids for message in inbox.pending()))
            if 99 in received:
                break

    assert 99 in received
