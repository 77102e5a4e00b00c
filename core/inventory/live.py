"""Live availability: a channel's shown availability of some variants, as it changes.

Used by the ``availabilityChanged`` subscription. It listens on the event bus
(``core.events.bus``, topic ``stock``) for stock changes of the watched variants,
re-reads their availability in the channel (``channel_availability``: as precise as
the channel shows) and yields only what differs from what it yielded last, so a
reservation that leaves a status-only channel's status unchanged pushes nothing.

The first yield is the current availability of every watched variant: subscribing
first and reading second means no change falls between a client's query and its
subscription. The channel (display rule, threshold, locations) is the one resolved
when watching started. Expiry is seen when a sweep deletes the expired
reservations (it records ``StockChanged``). Server processes sweep when the next
reservation expires (``schema.app.sweep_periodically``), so the push follows the
expiry within moments; a reservation taken during a sweeper's pause that expires
before the pause ends waits for it (at most ``OMNICART_SWEEP_INTERVAL_SECONDS``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

from core.channels.model import Channel
from core.events.bus import BusMessage
from core.ids import VariantId
from core.inventory.availability import channel_availability
from core.inventory.events import STOCK_TOPIC
from core.inventory.model import ShownAvailability
from core.runtime import Runtime


async def watch_availability(
    runtime: Runtime, *, channel: Channel, variant_ids: Sequence[VariantId]
) -> AsyncGenerator[dict[VariantId, ShownAvailability], None]:
    """Yield ``{variant: availability}`` at once, then whenever some of them change."""
    watched = frozenset(variant_ids)
    last: dict[VariantId, ShownAvailability] = {}
    async with runtime.bus.subscribe(STOCK_TOPIC) as inbox:
        touched = watched
        while True:
            async with runtime.reads.connect() as connection:
                current = await channel_availability(
                    connection,
                    runtime.plugins,
                    channel=channel,
                    variant_ids=sorted(touched),
                    now=runtime.clock.now(),
                )
            changed = {v: shown for v, shown in current.items() if last.get(v) != shown}
            last.update(changed)
            if changed:
                yield changed
            touched = frozenset()
            async for message in inbox:
                # Changes that queued up meanwhile are read together.
                touched = _touched([message, *inbox.pending()], watched)
                if touched:
                    break


def _touched(messages: Sequence[BusMessage], watched: frozenset[VariantId]) -> frozenset[VariantId]:
    if any(message.lagged for message in messages):
        return watched
    return frozenset(
        VariantId(v) for message in messages for v in message.subject_ids if v in watched
    )
