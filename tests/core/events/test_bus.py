"""The event bus: what a commit publishes, slow subscribers, publishing that fails."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Settings
from core.events.bus import QUEUE_SIZE, BusMessage, InProcessBus, messages_for_events
from core.ids import LocationId, VariantId
from core.inventory import queries, services
from core.inventory.events import (
    STOCK_TOPIC,
    ReservationsExpired,
    StockChangeCause,
    StockChanged,
)
from core.runtime import Runtime
from tests.factories import CART_TOPIC, CartChanged, make_shop


class UnreachableBus(InProcessBus):
    """A bus whose broker is gone: every publish fails."""

    async def publish(self, events: Sequence[object]) -> None:
        raise ConnectionError("broker unreachable")


def test_a_commit_publishes_its_stock_changes_merged_into_one_message() -> None:
    events = [
        StockChanged(VariantId(1), (LocationId(10),), StockChangeCause.RESERVED),
        StockChanged(VariantId(2), (LocationId(10), LocationId(11)), StockChangeCause.TRANSFERRED),
        ReservationsExpired(reservations=()),
    ]

    messages = messages_for_events(events)

    assert messages == [BusMessage(STOCK_TOPIC, frozenset({VariantId(1), VariantId(2)}))]


def test_events_of_another_domain_become_a_message_on_their_own_topic() -> None:
    events = [
        StockChanged(VariantId(1), (LocationId(10),), StockChangeCause.SOLD),
        CartChanged(cart_id=7, version=3),
        CartChanged(cart_id=7, version=4),
        CartChanged(cart_id=9, version=1),
    ]

    messages = messages_for_events(events)

    assert messages == [
        BusMessage(CART_TOPIC, frozenset({7, 9})),
        BusMessage(STOCK_TOPIC, frozenset({VariantId(1)})),
    ]


async def test_a_subscriber_too_far_behind_gets_one_lagged_message() -> None:
    bus = InProcessBus()
    message = BusMessage(STOCK_TOPIC, frozenset({VariantId(1)}))

    async with bus.subscribe(STOCK_TOPIC) as inbox:
        for _ in range(QUEUE_SIZE + 1):
            bus.deliver(message)
        queued = inbox.pending()

    assert queued == [BusMessage(STOCK_TOPIC, lagged=True)]


async def test_a_failing_publish_never_fails_the_committed_change(
    runtime: Runtime, settings: Settings
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    failing = Runtime.build(
        settings,
        engine=runtime.engine,
        reads=runtime.reads,
        clock=runtime.clock,
        plugins=runtime.plugins,
        bus=UnreachableBus(),
    )

    await services.set_stock(
        failing.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        quantity=4,
        reason="count",
        actor="test",
    )

    async with runtime.reads.connect() as connection:
        available = await queries.available_in_channel(
            connection,
            channel_id=shop.channel.id,
            variant_ids=[shop.variant_id],
            now=runtime.clock.now(),
        )
    assert available[shop.variant_id].quantity == 4
