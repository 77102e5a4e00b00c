"""The event bus: what a commit publishes, slow subscribers, publishing that fails."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Settings
from core.events.bus import (
    MAX_IDS_PER_MESSAGE,
    QUEUE_SIZE,
    STOCK_TOPIC,
    BusMessage,
    InProcessBus,
    messages_for,
)
from core.ids import LocationId, VariantId
from core.inventory import queries, services
from core.inventory.events import ReservationsExpired, StockChangeCause, StockChanged
from core.runtime import Runtime
from tests.core.inventory.shop import make_shop


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

    messages = messages_for(events)

    assert messages == [
        BusMessage(
            STOCK_TOPIC,
            frozenset({VariantId(1), VariantId(2)}),
            frozenset({LocationId(10), LocationId(11)}),
        )
    ]
    assert BusMessage.from_json(messages[0].to_json()) == messages[0]


def test_many_variants_are_split_so_every_payload_stays_small() -> None:
    events = [
        StockChanged(VariantId(v), (LocationId(1),), StockChangeCause.EXPIRED)
        for v in range(1, 2 * MAX_IDS_PER_MESSAGE + 2)
    ]

    messages = messages_for(events)

    assert [len(m.variant_ids) for m in messages] == [MAX_IDS_PER_MESSAGE] * 2 + [1]
    assert all(len(m.to_json()) < 8000 for m in messages)


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
