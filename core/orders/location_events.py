"""Live order events for stores: the order events concerning some locations, pushed to
their staff as they commit (issue 14, point 5; the ``orderEvents`` subscription).

It listens on the event bus (``core.events.bus``, topic ``order``), so it sees the
commits of every server process. Each order event names the locations it concerns in
its payload (``location_ids``, the convention of ``core.orders.events``); an event is
pushed when one of them is watched (or, watching every location, when it names any).
The order pushed with it is read when the event arrives (one batch read per batch of
messages), so it may already show later changes, whose own events follow.

Nothing is pushed at the start: a client reads the current orders with the ``orders``
query after subscribing. After a ``lagged`` message (the client fell far behind, or
its server lost the database for longer than the outbox keeps events) the missed
events are not pushed; the client re-reads ``orders`` when it reconnects.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

from core.events.bus import BusEvent, BusMessage
from core.ids import LocationId, OrderId
from core.orders import services
from core.orders.events import ORDER_TOPIC
from core.orders.services import OrderView
from core.runtime import Runtime


@dataclass(frozen=True, slots=True)
class LocationEvent:
    """One committed order event that concerns watched locations."""

    # The event's type, its class name: "OrderPlaced", "OrderCancelled", ...
    type: str
    order: OrderView
    # Every location the event concerns (some of them watched).
    location_ids: tuple[LocationId, ...]


def concerned_locations(event: BusEvent) -> tuple[LocationId, ...]:
    """The locations an order event names in its payload (none for other events)."""
    named = event.payload.get("location_ids")
    if not isinstance(named, list):
        return ()
    return tuple(sorted({LocationId(value) for value in named if isinstance(value, int)}))


async def watch_location_events(
    runtime: Runtime, *, location_ids: frozenset[LocationId] | None
) -> AsyncGenerator[LocationEvent, None]:
    """Yield each order event concerning ``location_ids`` (None: any location) as it
    commits, in commit order, with its order as it is now (see the module)."""
    async with runtime.bus.subscribe(ORDER_TOPIC) as inbox:
        async for message in inbox:
            # Messages that queued up meanwhile are read together.
            wanted = _wanted([message, *inbox.pending()], location_ids)
            if not wanted:
                continue
            orders = await services.staff_orders_by_id(
                runtime.uow(), sorted({order_id for order_id, _, _ in wanted})
            )
            for order_id, event_type, concerned in wanted:
                view = orders.get(order_id)
                if view is not None:
                    yield LocationEvent(event_type, view, concerned)


def _wanted(
    messages: Sequence[BusMessage], watched: frozenset[LocationId] | None
) -> list[tuple[OrderId, str, tuple[LocationId, ...]]]:
    wanted: list[tuple[OrderId, str, tuple[LocationId, ...]]] = []
    for event in (event for message in messages for event in message.events):
        concerned = concerned_locations(event)
        if not concerned or not event.subject_ids:
            continue
        if watched is None or not watched.isdisjoint(concerned):
            wanted.append((OrderId(event.subject_ids[0]), event.type, concerned))
    return wanted
