"""Cancelled units of order lines (issue 14): what they are worth, and their write.

A line's units are worth its total split by units (``Money.allocate``, whose parts add
up to the whole): the first ``n`` units of a line are worth ``value_of(line, n)``, so
cancelling units one request at a time or all at once gives back the same money, and
cancelled plus kept always add up to the line's total. Cart-wide adjustments and the
delivery amount belong to no line: they are refunded only when the whole order is
cancelled with nothing fulfilled (``core.orders.cancel``).

``add_cancelled`` records cancelled units on their lines (``order_lines.
cancelled_quantity``), guarded so a line never has more cancelled than it has units.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Update, bindparam, update

from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.ids import OrderId, OrderLineId
from core.money import Money
from core.orders.model import Order, OrderLine
from core.orders.tables import OrderLineRow
from core.uow import UnitOfWork

_lines = table_of(OrderLineRow)


def value_of(line: OrderLine, units: int) -> Money:
    """What the first ``units`` of the line are worth (its total split by units)."""
    if units <= 0:
        return Money.zero(line.total_price.currency)
    if units >= line.quantity:
        return line.total_price
    return line.total_price.allocate([units, line.quantity - units])[0]


def value_of_more(line: OrderLine, units: int) -> Money:
    """What ``units`` more cancelled units of the line are worth, after those already
    cancelled."""
    already = line.cancelled_quantity
    return value_of(line, already + units) - value_of(line, already)


def cancelled_value(order: Order) -> Money:
    """What the order's cancelled units are worth: never to be captured."""
    total = Money.zero(order.cost.total_amount.currency)
    for line in order.lines:
        total = total + value_of(line, line.cancelled_quantity)
    return total


def _add_cancelled() -> Update:
    return (
        update(_lines)
        .where(
            _lines.c.id == bindparam("c_line_id"),
            _lines.c.order_id == bindparam("c_order_id"),
            _lines.c.cancelled_quantity + bindparam("c_units") <= _lines.c.quantity,
        )
        .values(cancelled_quantity=_lines.c.cancelled_quantity + bindparam("c_units"))
    )


async def add_cancelled(
    uow: UnitOfWork, order_id: OrderId, units: Mapping[OrderLineId, int]
) -> None:
    """Add ``units`` to each line's cancelled quantity. The caller holds the order's
    version (so no fulfilment races it); the guard still refuses to cancel more than a
    line has, with ``QUANTITY_EXCEEDS_UNFULFILLED``."""
    statement = _add_cancelled()
    for line_id, quantity in sorted(units.items()):
        if quantity <= 0:
            continue
        done = await uow.session.execute(
            statement, {"c_line_id": line_id, "c_order_id": order_id, "c_units": quantity}
        )
        if int(getattr(done, "rowcount", 0) or 0) != 1:
            raise DomainError.single(
                ErrorCode.QUANTITY_EXCEEDS_UNFULFILLED,
                "The line has fewer units left to cancel",
                "lines",
            )
