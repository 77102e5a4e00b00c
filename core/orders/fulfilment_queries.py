"""Reading fulfilments and pickups: for pages of orders (one statement each kind, two
for fulfilments with their lines), and the units each order line has had fulfilled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from core.db import table_of
from core.db.reads import ReadConnection
from core.ids import FulfilmentId, LocationId, OrderId, OrderLineId, PickupId
from core.orders import pickup_codes
from core.orders.model import (
    Fulfilment,
    FulfilmentLine,
    FulfilmentMethod,
    FulfilmentStatus,
    Pickup,
    Tracking,
)
from core.orders.tables import FulfilmentLineRow, FulfilmentRow, PickupRow

fulfilments_table = table_of(FulfilmentRow)
fulfilment_lines_table = table_of(FulfilmentLineRow)
pickups_table = table_of(PickupRow)


async def fulfilments_by_order_ids(
    connection: ReadConnection, order_ids: Sequence[int]
) -> dict[OrderId, list[Fulfilment]]:
    """Each order's fulfilments, oldest first (orders without any are left out)."""
    if not order_ids:
        return {}
    rows = (
        await connection.execute(
            select(fulfilments_table)
            .where(fulfilments_table.c.order_id.in_(sorted(set(order_ids))))
            .order_by(fulfilments_table.c.id)
        )
    ).all()
    if not rows:
        return {}
    line_rows = (
        await connection.execute(
            select(fulfilment_lines_table)
            .where(fulfilment_lines_table.c.fulfilment_id.in_([row.id for row in rows]))
            .order_by(fulfilment_lines_table.c.id)
        )
    ).all()
    lines: dict[int, list[FulfilmentLine]] = defaultdict(list)
    for line in line_rows:
        lines[line.fulfilment_id].append(
            FulfilmentLine(OrderLineId(line.order_line_id), line.quantity)
        )
    found: dict[OrderId, list[Fulfilment]] = defaultdict(list)
    for row in rows:
        found[OrderId(row.order_id)].append(_fulfilment(row, lines[row.id]))
    return dict(found)


def _fulfilment(row: Any, lines: Sequence[FulfilmentLine]) -> Fulfilment:
    tracking = None
    if row.tracking_carrier or row.tracking_number or row.tracking_url:
        tracking = Tracking(
            row.tracking_carrier or "", row.tracking_number or "", row.tracking_url or ""
        )
    return Fulfilment(
        id=FulfilmentId(row.id),
        order_id=OrderId(row.order_id),
        location_id=LocationId(row.location_id),
        method=FulfilmentMethod(row.method),
        status=FulfilmentStatus(row.status),
        lines=tuple(lines),
        tracking=tracking,
        actor=row.actor,
        created_at=row.created_at,
    )


async def pickups_by_order_ids(
    connection: ReadConnection, order_ids: Sequence[int], *, reveal_with: bytes | None = None
) -> dict[OrderId, list[Pickup]]:
    """Each order's pickups, oldest first. Codes are unsealed only with ``reveal_with``
    (the pickup-code key), for the order's owner; otherwise ``code`` is None."""
    if not order_ids:
        return {}
    rows = (
        await connection.execute(
            select(pickups_table)
            .where(pickups_table.c.order_id.in_(sorted(set(order_ids))))
            .order_by(pickups_table.c.id)
        )
    ).all()
    found: dict[OrderId, list[Pickup]] = defaultdict(list)
    for row in rows:
        code = None
        if reveal_with is not None:
            code = pickup_codes.unseal(row.sealed_code, row.code_digest, row.order_id, reveal_with)
        found[OrderId(row.order_id)].append(
            Pickup(
                id=PickupId(row.id),
                order_id=OrderId(row.order_id),
                location_id=LocationId(row.location_id),
                ready_at=row.ready_at,
                collected_at=row.collected_at,
                code=code,
            )
        )
    return dict(found)


async def pickup_record(
    connection: ReadConnection, order_id: OrderId, location_id: LocationId
) -> Any:
    """The pickup row of the order at the location (id, digest, collected_at), or None."""
    return (
        await connection.execute(
            select(
                pickups_table.c.id, pickups_table.c.code_digest, pickups_table.c.collected_at
            ).where(
                pickups_table.c.order_id == order_id, pickups_table.c.location_id == location_id
            )
        )
    ).one_or_none()


async def fulfilled_by_line(
    connection: ReadConnection, order_id: OrderId
) -> dict[OrderLineId, int]:
    """Units of each of the order's lines already fulfilled (shipped or collected)."""
    rows = (
        await connection.execute(
            select(
                fulfilment_lines_table.c.order_line_id,
                func.sum(fulfilment_lines_table.c.quantity).label("quantity"),
            )
            .join(
                fulfilments_table,
                fulfilments_table.c.id == fulfilment_lines_table.c.fulfilment_id,
            )
            .where(fulfilments_table.c.order_id == order_id)
            .group_by(fulfilment_lines_table.c.order_line_id)
        )
    ).all()
    return {OrderLineId(row.order_line_id): int(row.quantity) for row in rows}
