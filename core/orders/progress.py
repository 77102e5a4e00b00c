"""An order's status as fulfilment moves it (issue 14): derived, never set by hand.

The rule (``derive_status``), over the order's lines and what has left its locations,
counting only the units due (a line's quantity less its cancelled units):
- every unit cancelled: CANCELLED;
- every unit due fulfilled: COMPLETED when every fulfilment was a handover at a store
  (the goods are in the customer's hands), FULFILLED when any was shipped;
- otherwise READY_FOR_PICKUP while a pickup waits to be collected;
- otherwise PARTIALLY_FULFILLED once any unit was fulfilled;
- otherwise the status stays (PLACED or CONFIRMED).

``record_progress`` writes the outcome of a fulfilment step: the status moved (with
the order's version as the guard), one history entry naming the actor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.ids import OrderLineId
from core.orders import writes
from core.orders.model import FulfilmentMethod, Order, OrderLine, OrderStatus
from core.uow import UnitOfWork


def derive_status(
    current: OrderStatus,
    lines: Sequence[OrderLine],
    fulfilled: Mapping[OrderLineId, int],
    *,
    methods: frozenset[FulfilmentMethod],
    awaiting_pickup: bool,
) -> OrderStatus:
    """The status by the rule above; ``methods``: how its fulfilments left."""
    # Cancelled units are not due: a line's due units are its quantity less those.
    ordered = sum(line.due_quantity for line in lines)
    done = sum(min(fulfilled.get(line.id, 0), line.due_quantity) for line in lines)
    if not ordered and lines:
        return OrderStatus.CANCELLED
    if ordered and done >= ordered:
        return (
            OrderStatus.COMPLETED
            if methods == frozenset({FulfilmentMethod.PICKUP})
            else OrderStatus.FULFILLED
        )
    if awaiting_pickup:
        return OrderStatus.READY_FOR_PICKUP
    if done:
        return OrderStatus.PARTIALLY_FULFILLED
    return current


async def record_progress(
    uow: UnitOfWork,
    order: Order,
    status: OrderStatus,
    *,
    version: int,
    actor: str,
    note: str,
) -> int:
    """Move the order to ``status`` (when it changed) and append a history entry; the
    order's version after. ``version``: the version this transaction already holds."""
    now = uow.clock.now()
    if status is not order.status:
        version = await writes.move_order(
            uow, order.id, read_version=version, now=now, status=status
        )
    await writes.append_history(
        uow,
        order.id,
        at=now,
        status=status,
        payment_status=order.payment_status,
        actor=actor,
        note=note,
    )
    return version
