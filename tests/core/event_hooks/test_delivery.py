"""The omnicart_event hook: committed events reach every plugin implementing it, at least
once, in commit order, from one process at a time, and a failing plugin never fails a
request. Runs on SQLite and PostgreSQL (the overlapping-transactions test on PostgreSQL).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import FrozenClock
from core.config import Settings
from core.db.chain import Chain
from core.event_hooks.cursors import LEASE_SECONDS, dead_event_table
from core.event_hooks.dispatcher import EventDispatcher, retry_pause
from core.events.model import DeliveredEvent
from core.events.outbox import outbox_parameters, outbox_steps
from core.hooks import hookimpl
from core.inventory import services
from core.inventory.events import STOCK_TOPIC
from core.maintenance import prune_outbox
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories import CART_TOPIC, CartChanged, make_shop, stored_events


class Crash(BaseException):
    """The process dies while a plugin runs (nothing after it is saved)."""


class Recorder:
    """A plugin that records the events it is given; it can be told to fail or crash."""

    def __init__(self) -> None:
        self.events: list[DeliveredEvent] = []
        self.failures = 0  # raise on the next this many calls
        self.crash = False
        self.received = asyncio.Event()

    @hookimpl
    async def omnicart_event(self, event: DeliveredEvent, settings: object) -> None:
        assert settings is None
        if self.failures:
            self.failures -= 1
            raise RuntimeError("webhook endpoint down")
        self.events.append(event)
        self.received.set()
        if self.crash:
            raise Crash()

    def carts(self) -> list[int]:
        return [event.subject_ids[0] for event in self.events]


def runtime_with(runtime: Runtime, settings: Settings, **plugins: Recorder) -> Runtime:
    """Another process on the same database, with these plugins installed."""
    return Runtime.build(
        settings,
        engine=runtime.engine,
        reads=runtime.reads,
        clock=runtime.clock,
        plugins=PluginHost.load(extra=plugins),
    )


async def change_cart(runtime: Runtime, cart_id: int, version: int = 1) -> None:
    async with runtime.uow() as uow:
        uow.record(CartChanged(cart_id=cart_id, version=version))
        await uow.commit()


async def test_committed_events_reach_the_plugin_in_commit_order_and_rolled_back_ones_never(
    runtime: Runtime, settings: Settings
) -> None:
    recorder = Recorder()
    shop_runtime = runtime_with(runtime, settings, recorder=recorder)
    shop = await make_shop(shop_runtime, warehouse=2)
    await change_cart(shop_runtime, 1)
    async with shop_runtime.uow() as uow:
        uow.record(CartChanged(cart_id=2, version=1))  # rolled back: never delivered
    await change_cart(shop_runtime, 3)

    delivered = await EventDispatcher(shop_runtime).deliver()

    stock = [event for event in recorder.events if event.topic == STOCK_TOPIC]
    carts = [event for event in recorder.events if event.topic == CART_TOPIC]
    assert delivered == len(recorder.events)
    assert stock and all(event.type == "StockChanged" for event in stock)
    assert recorder.events.index(stock[-1]) < recorder.events.index(carts[0])
    assert [event.subject_ids for event in carts] == [(1,), (3,)]
    assert carts[0].type == "CartChanged"
    assert carts[0].payload == {"cart_id": 1, "version": 1}
    assert shop.variant_id in stock[0].subject_ids
    assert [event.id for event in recorder.events] == sorted(e.id for e in recorder.events)
    assert await EventDispatcher(shop_runtime).deliver() == 0  # nothing twice


async def test_every_plugin_implementing_the_hook_gets_every_event(
    runtime: Runtime, settings: Settings
) -> None:
    first, second = Recorder(), Recorder()
    shop_runtime = runtime_with(runtime, settings, first=first, second=second)
    await change_cart(shop_runtime, 1)
    await change_cart(shop_runtime, 2)

    await EventDispatcher(shop_runtime).deliver()

    assert first.carts() == [1, 2]
    assert second.carts() == [1, 2]


async def test_an_event_with_a_lower_id_committing_later_is_delivered_after_and_not_skipped(
    runtime: Runtime, settings: Settings
) -> None:
    """PostgreSQL: ids are not commit order (core.events.replay)."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("overlapping writers: PostgreSQL only (SQLite serialises them)")
    recorder = Recorder()
    shop_runtime = runtime_with(runtime, settings, recorder=recorder)
    dispatcher = EventDispatcher(shop_runtime)

    async with shop_runtime.uow() as slow:
        # Writes its event (the lower id), then waits while another commits.
        await slow.run(
            Chain(outbox_steps(slow.dialect)),
            outbox_parameters(
                slow.dialect, [CartChanged(cart_id=1, version=1)], now=runtime.clock.now()
            ),
        )
        await change_cart(shop_runtime, 2)
        await dispatcher.deliver()
        while_in_progress = recorder.carts()
        await slow.commit()
    await dispatcher.deliver()

    assert while_in_progress == [2]
    assert recorder.carts() == [2, 1]
    assert recorder.events[1].id < recorder.events[0].id


async def test_events_given_before_a_crash_are_given_again_by_the_next_process(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    crashing = Recorder()
    crashing.crash = True
    crashed_process = runtime_with(runtime, settings, recorder=crashing)
    await change_cart(crashed_process, 1)
    with pytest.raises(Crash):
        await EventDispatcher(crashed_process).deliver()
    recorder = Recorder()
    restarted = runtime_with(runtime, settings, recorder=recorder)

    before_the_lease_ran_out = await EventDispatcher(restarted).deliver()
    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    await EventDispatcher(restarted).deliver()

    assert crashing.carts() == [1]
    assert before_the_lease_ran_out == 0
    assert recorder.carts() == [1]
    assert recorder.events[0].id == crashing.events[0].id


async def test_a_raising_plugin_fails_no_request_and_gets_the_same_event_again_later(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder()
    recorder.failures = 2
    shop_runtime = runtime_with(runtime, settings, recorder=recorder)
    shop = await make_shop(shop_runtime)
    dispatcher = EventDispatcher(shop_runtime)
    await dispatcher.deliver()  # fails on the shop's first event
    await services.set_stock(  # the request succeeds however the plugin fares
        shop_runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        quantity=7,
        reason="count",
        actor="test",
    )

    too_soon = await dispatcher.deliver()
    clock.advance(retry_pause(1))
    await dispatcher.deliver()  # fails again
    clock.advance(retry_pause(2))
    await dispatcher.deliver()

    assert too_soon == 0
    events = await stored_events(shop_runtime)
    assert [event.topic for event in recorder.events] == [event.topic for event in events]
    assert recorder.events[-1].payload == events[-1].payload


async def test_an_event_a_plugin_keeps_failing_on_is_recorded_as_dead_and_delivery_goes_on(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder()
    recorder.failures = 2
    shop_runtime = runtime_with(runtime, settings, recorder=recorder)
    await change_cart(shop_runtime, 1)
    await change_cart(shop_runtime, 2)
    dispatcher = EventDispatcher(shop_runtime, max_attempts=2)

    await dispatcher.deliver()
    clock.advance(retry_pause(1))
    await dispatcher.deliver()

    assert recorder.carts() == [2]
    async with runtime.engine.connect() as connection:
        dead = (await connection.execute(select(dead_event_table))).all()
    assert [(row.plugin, row.topic, row.event_type, row.attempts) for row in dead] == [
        ("recorder", CART_TOPIC, "CartChanged", 2)
    ]
    assert dead[0].payload == {"cart_id": 1, "version": 1}
    assert "webhook endpoint down" in dead[0].error


async def test_two_processes_delivering_at_once_give_each_event_once(
    runtime: Runtime, settings: Settings
) -> None:
    recorder = Recorder()
    one = runtime_with(runtime, settings, recorder=recorder)
    other = runtime_with(runtime, settings, recorder=recorder)
    dispatchers = [EventDispatcher(one, batch_size=3), EventDispatcher(other, batch_size=3)]

    for cart_id in range(1, 21):
        await change_cart(one if cart_id % 2 else other, cart_id)
        if cart_id % 5 == 0:
            await asyncio.gather(*(dispatcher.deliver() for dispatcher in dispatchers))
    await asyncio.gather(*(dispatcher.deliver() for dispatcher in dispatchers))

    assert recorder.carts() == list(range(1, 21))


async def test_a_running_delivery_is_woken_by_a_commit(
    runtime: Runtime, settings: Settings
) -> None:
    recorder = Recorder()
    shop_runtime = runtime_with(runtime, settings, recorder=recorder)
    task = asyncio.create_task(EventDispatcher(shop_runtime).run(interval_seconds=3600))
    try:
        await asyncio.sleep(0.1)
        await change_cart(shop_runtime, 1)
        async with asyncio.timeout(10):
            await recorder.received.wait()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    assert recorder.carts() == [1]


async def test_pruning_keeps_old_events_a_plugin_has_not_been_given(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder()
    recorder.failures = 2
    shop_runtime = runtime_with(runtime, settings, recorder=recorder)
    await change_cart(shop_runtime, 1)
    await change_cart(shop_runtime, 2)
    dispatcher = EventDispatcher(shop_runtime)
    await dispatcher.deliver()  # fails: the cursor stays before both
    clock.advance(timedelta(hours=2))
    await change_cart(shop_runtime, 3)
    await dispatcher.deliver()  # fails again, two hours on: still before both

    kept = await prune_outbox(shop_runtime.uow(), retention_seconds=3600)
    clock.advance(retry_pause(2))
    await dispatcher.deliver()
    pruned = await prune_outbox(shop_runtime.uow(), retention_seconds=3600)

    assert kept == 0
    assert recorder.carts() == [1, 2, 3]
    assert pruned == 2
    assert [event.subject_ids for event in await stored_events(shop_runtime)] == [[3]]


async def test_a_cursor_nobody_saved_for_a_whole_retention_holds_no_event_back(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder()
    recorder.failures = 1
    uninstalled = runtime_with(runtime, settings, recorder=recorder)
    await change_cart(uninstalled, 1)
    await EventDispatcher(uninstalled).deliver()  # fails; then the plugin is removed
    clock.advance(timedelta(hours=2))
    await change_cart(runtime, 2)

    pruned = await prune_outbox(runtime.uow(), retention_seconds=3600)

    assert pruned == 1
