"""Reading returns and refunds: for pages of orders (two statements for returns with
their lines, one for refunds), the units of each order line returned, and a refund
by its idempotency key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from core.db import table_of
from core.db.reads import ReadConnection
from core.ids import ChannelId, LocationId, OrderId, OrderLineId, RefundId, ReturnId, ReturnLineId
from core.money import Money
from core.orders.return_model import (
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    ReturnStatus,
)
from core.orders.return_tables import RefundRow, ReturnLineRow, ReturnRow

returns_table = table_of(ReturnRow)
return_lines_table = table_of(ReturnLineRow)
refunds_table = table_of(RefundRow)


async def returns_by_order_ids(
    connection: ReadConnection, order_ids: Sequence[int]
) -> dict[OrderId, list[Return]]:
    """Each order's returns, oldest first (orders without any are left out)."""
    if not order_ids:
        return {}
    rows = (
        await connection.execute(
            select(returns_table)
            .where(returns_table.c.order_id.in_(sorted(set(order_ids))))
            .order_by(returns_table.c.id)
        )
    ).all()
    found: dict[OrderId, list[Return]] = defaultdict(list)
    for returned in await _with_lines(connection, rows):
        found[returned.order_id].append(returned)
    return dict(found)


async def return_by_id(connection: ReadConnection, return_id: ReturnId) -> Return | None:
    rows = (
        await connection.execute(select(returns_table).where(returns_table.c.id == return_id))
    ).all()
    found = await _with_lines(connection, rows)
    return found[0] if found else None


async def _with_lines(connection: ReadConnection, rows: Sequence[Any]) -> list[Return]:
    if not rows:
        return []
    line_rows = (
        await connection.execute(
            select(return_lines_table)
            .where(return_lines_table.c.return_id.in_([row.id for row in rows]))
            .order_by(return_lines_table.c.id)
        )
    ).all()
    lines: dict[int, list[ReturnLine]] = defaultdict(list)
    for line in line_rows:
        lines[line.return_id].append(
            ReturnLine(
                id=ReturnLineId(line.id),
                order_line_id=OrderLineId(line.order_line_id),
                quantity=line.quantity,
                reason=line.reason,
                received=line.received,
                restocked=line.restocked,
                written_off=line.written_off,
            )
        )
    return [
        Return(
            id=ReturnId(row.id),
            order_id=OrderId(row.order_id),
            channel_id=ChannelId(row.channel_id),
            status=ReturnStatus(row.status),
            location_id=None if row.location_id is None else LocationId(row.location_id),
            lines=tuple(lines[row.id]),
            actor=row.actor,
            created_at=row.created_at,
        )
        for row in rows
    ]


async def returned_by_line(connection: ReadConnection, order_id: OrderId) -> dict[OrderLineId, int]:
    """Units of each of the order's lines in its returns (received or not)."""
    rows = (
        await connection.execute(
            select(
                return_lines_table.c.order_line_id,
                func.sum(return_lines_table.c.quantity).label("quantity"),
            )
            .join(returns_table, returns_table.c.id == return_lines_table.c.return_id)
            .where(returns_table.c.order_id == order_id)
            .group_by(return_lines_table.c.order_line_id)
        )
    ).all()
    return {OrderLineId(row.order_line_id): int(row.quantity) for row in rows}


async def refunds_by_order_ids(
    connection: ReadConnection, order_ids: Sequence[int]
) -> dict[OrderId, list[Refund]]:
    """Each order's refunds, oldest first (orders without any are left out)."""
    if not order_ids:
        return {}
    rows = (
        await connection.execute(
            select(refunds_table)
            .where(refunds_table.c.order_id.in_(sorted(set(order_ids))))
            .order_by(refunds_table.c.id)
        )
    ).all()
    found: dict[OrderId, list[Refund]] = defaultdict(list)
    for row in rows:
        found[OrderId(row.order_id)].append(refund_from_row(row))
    return dict(found)


def refund_from_row(row: Any) -> Refund:
    return Refund(
        id=RefundId(row.id),
        order_id=OrderId(row.order_id),
        provider=row.provider,
        amount=Money(row.amount_minor, row.currency),
        reason=row.reason,
        lines=tuple(
            RefundLine(OrderLineId(line["order_line_id"]), int(line["quantity"]))
            for line in row.lines or []
        ),
        actor=row.actor,
        created_at=row.created_at,
    )


async def refund_by_key(connection: ReadConnection, order_id: OrderId, key_digest: str) -> Any:
    """The refund row made with this key for the order, or None."""
    return (
        await connection.execute(
            select(refunds_table).where(
                refunds_table.c.order_id == order_id, refunds_table.c.key_digest == key_digest
            )
        )
    ).one_or_none()
