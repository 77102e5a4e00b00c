"""A customer's orders as they change, for their "my orders" page while they are logged
in (the ``myOrdersChanged`` subscription).

It listens on the event bus (``core.events.bus``, topic ``order``), so it sees the
commits of every server process. At the start it reads the version of each of the
customer's orders, once (``order_versions_by_customer_id``); nothing is yielded then:
the client reads its orders after subscribing. Afterwards a batch of messages costs a
read only when one of its events names an order of the customer (known by id), or is
an ``OrderPlaced`` whose payload names the customer (an order placed since, in any
channel). Those orders are read in one batch, and each whose version is newer than
the one last yielded for it is yielded, in order id order. A ``lagged`` message
(messages were lost) re-reads every version and yields the orders whose version moved
since it was last known (read at the start or yielded).

An order is yielded at most once per version, but may come once more than strictly
needed: the client reads its orders after subscribing, at a moment the server cannot
know, so a change committed after the subscription began is yielded even when the
versions read at the start already include it. Clients keep the newer version.

It serves a session, not a customer: before yielding anything it checks that the
session of ``session_token`` is still live (``core.customers.services.authenticate``),
and ends when it is not (logged out, expired, or ended by a password change made on
another device). So it ends at the first change after the session ended, without
showing it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Final

from core.customers import services as customer_services
from core.events.bus import BusMessage
from core.ids import CustomerId, OrderId
from core.orders import services
from core.orders.events import ORDER_TOPIC, OrderPlaced
from core.orders.queries import order_versions_by_customer_id
from core.orders.services import OrderView
from core.runtime import Runtime

_PLACED: Final = OrderPlaced.event_type()


async def watch_customer_orders(
    runtime: Runtime, *, customer_id: CustomerId, session_token: str
) -> AsyncGenerator[OrderView, None]:
    """Yield each order of ``customer_id`` whose version moved, as it moves, while the
    session of ``session_token`` lives (see the module)."""
    async with runtime.bus.subscribe(ORDER_TOPIC) as inbox:
        # Subscribed first, read second: whatever commits from now on comes by the inbox.
        known = await _versions(runtime, customer_id)
        # What was yielded. Events are compared with this, not with ``known``: a change
        # committed between subscribing and reading is in ``known`` already, yet the
        # client may have read its orders before it (see the module).
        yielded: dict[OrderId, int] = {}
        async for message in inbox:
            # Messages that queued up meanwhile are read together.
            batch = [message, *inbox.pending()]
            if any(queued.lagged for queued in batch):
                since, wanted = known, _moved(await _versions(runtime, customer_id), known)
            else:
                since, wanted = yielded, _named(batch, known, customer_id)
            if not wanted:
                continue
            views = await services.staff_orders_by_id(runtime.uow(), wanted)
            moved = [
                views[order_id]
                for order_id in sorted(views)
                if views[order_id].order.customer_id == customer_id
                and views[order_id].order.version > since.get(order_id, 0)
            ]
            if not moved:
                continue
            # The session as it is now, not as the request found it when it began.
            if await customer_services.authenticate(runtime, token=session_token) is None:
                return
            for view in moved:
                known[view.order.id] = yielded[view.order.id] = view.order.version
                yield view


async def _versions(runtime: Runtime, customer_id: CustomerId) -> dict[OrderId, int]:
    async with runtime.reads.connect() as connection:
        return await order_versions_by_customer_id(connection, customer_id)


def _moved(current: Mapping[OrderId, int], seen: Mapping[OrderId, int]) -> list[OrderId]:
    return sorted(
        order_id for order_id, version in current.items() if version > seen.get(order_id, 0)
    )


def _named(
    messages: Sequence[BusMessage], known: Mapping[OrderId, int], customer_id: CustomerId
) -> list[OrderId]:
    """The orders the messages concern that may be the customer's: known ones, and new
    ones whose ``OrderPlaced`` names the customer."""
    named: set[OrderId] = set()
    for message in messages:
        named.update(OrderId(order_id) for order_id in message.subject_ids if order_id in known)
        named.update(
            OrderId(event.subject_ids[0])
            for event in message.events
            if event.type == _PLACED
            and event.subject_ids
            and event.payload.get("customer_id") == customer_id
        )
    return sorted(named)
