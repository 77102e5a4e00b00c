"""Where an order has work: the locations a location-scoped staff token must hold to see
it (issue 14), and that its events name (``location_ids`` in their payload).

An order's work is at the pickup store of each of its delivery groups, at every
location its fulfilment plan draws units from (``OrderDeliveryGroup.lines``, where its
allocations are) and at every location its returns were received at
(``returns.location_id``: the store that took goods back sees the order). The rule in
Python (``order_location_ids`` on a read order, ``planned_location_ids`` on checkout's
rows, which have no returns yet) and as SQL for the staff order list (``has_work_at``);
tests/schema/orders/test_location_scope.py holds them equal.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, exists, func, or_, select, true

from core.db import table_of
from core.ids import LocationId
from core.orders.model import Order
from core.orders.return_tables import ReturnRow
from core.orders.tables import OrderDeliveryGroupRow, OrderRow

_orders = table_of(OrderRow)
_groups = table_of(OrderDeliveryGroupRow)
_returns = table_of(ReturnRow)


def order_location_ids(order: Order) -> frozenset[LocationId]:
    """The locations the order has work at: pickup stores, supplying locations and the
    locations its returns were received at."""
    return _work_at(
        (group.location_id, [units.location_id for units in group.lines])
        for group in order.delivery_groups
    ) | frozenset(order.received_at)


def planned_location_ids(groups: Iterable[Mapping[str, Any]]) -> tuple[LocationId, ...]:
    """The same for delivery group rows as checkout writes them (``location_id`` and
    ``lines: [{order_line_id, location_id, quantity}]``), sorted: ``OrderPlaced``'s."""
    found = _work_at(
        (group["location_id"], [units["location_id"] for units in group["lines"]])
        for group in groups
    )
    return tuple(sorted(found))


def _work_at(
    groups: Iterable[tuple[LocationId | None, Sequence[LocationId]]],
) -> frozenset[LocationId]:
    return frozenset(
        LocationId(location_id)
        for pickup, suppliers in groups
        for location_id in (pickup, *suppliers)
        if location_id is not None
    )


def has_work_at(location_ids: Collection[LocationId], dialect: str) -> ColumnElement[bool]:
    """A WHERE clause on ``orders``: the order has work at one of ``location_ids``.

    The plan is a JSON array per delivery group (``[{order_line_id, location_id,
    quantity}]``), unnested with the dialect's own table-valued function.
    """
    wanted = sorted(set(location_ids))
    units: Any
    if dialect == "postgresql":
        units = func.json_array_elements(_groups.c.lines).table_valued("value")
        supplier = units.c.value.op("->>")("location_id").cast(BigInteger)
    else:
        units = func.json_each(_groups.c.lines).table_valued("value")
        supplier = func.json_extract(units.c.value, "$.location_id")
    pickup = exists().where(_groups.c.order_id == _orders.c.id, _groups.c.location_id.in_(wanted))
    supplied = exists(
        select(1)
        .select_from(_groups.join(units, true()))
        .where(_groups.c.order_id == _orders.c.id, supplier.in_(wanted))
    )
    received = exists().where(
        _returns.c.order_id == _orders.c.id, _returns.c.location_id.in_(wanted)
    )
    return or_(pickup, supplied, received)
