"""The order's rows as checkout writes them, and the moves of its status afterwards.

Checkout is not a hot path measured in microseconds (a payment provider answers in
its middle), so these are plain Core statements on the unit of work's session, each
written once here: insert the order and its children, append history, move the
status and the payment status (with a version guard), complete the cart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update

from core.carts.model import CartStatus
from core.carts.queries import carts_table
from core.errors import DomainError, ErrorCode
from core.ids import CartId, OrderId, OrderLineId
from core.orders.model import OrderStatus
from core.orders.queries import (
    history_table,
    order_groups_table,
    order_lines_table,
    orders_table,
    payments_table,
)
from core.payments.model import PaymentStatus
from core.uow import UnitOfWork


async def insert_order(uow: UnitOfWork, values: dict[str, Any]) -> OrderId:
    inserted = await uow.session.execute(
        insert(orders_table).values(**values).returning(orders_table.c.id)
    )
    return OrderId(inserted.scalar_one())


async def insert_lines(
    uow: UnitOfWork, order_id: OrderId, lines: Sequence[dict[str, Any]]
) -> list[OrderLineId]:
    """The order's lines, in the order given; their ids in that order (one statement:
    SQLAlchemy's insertmanyvalues sorts the RETURNING rows by parameter order)."""
    if not lines:
        return []
    inserted = await uow.session.execute(
        insert(order_lines_table).returning(order_lines_table.c.id, sort_by_parameter_order=True),
        [{"order_id": order_id, **line} for line in lines],
    )
    return [OrderLineId(line_id) for line_id in inserted.scalars().all()]


async def insert_groups(
    uow: UnitOfWork, order_id: OrderId, groups: Sequence[dict[str, Any]]
) -> None:
    if groups:
        await uow.session.execute(
            insert(order_groups_table), [{"order_id": order_id, **group} for group in groups]
        )


async def insert_payment(uow: UnitOfWork, order_id: OrderId, values: dict[str, Any]) -> None:
    await uow.session.execute(insert(payments_table).values(order_id=order_id, **values))


async def append_history(
    uow: UnitOfWork,
    order_id: OrderId,
    *,
    at: datetime,
    status: OrderStatus,
    payment_status: PaymentStatus,
    actor: str,
    note: str = "",
) -> None:
    await uow.session.execute(
        insert(history_table).values(
            order_id=order_id,
            at=at,
            status=status.value,
            payment_status=payment_status.value,
            actor=actor,
            note=note,
        )
    )


async def move_order(
    uow: UnitOfWork,
    order_id: OrderId,
    *,
    read_version: int,
    now: datetime,
    status: OrderStatus | None = None,
    payment_status: PaymentStatus | None = None,
) -> int:
    """Set the order's status and/or payment status if it is still at ``read_version``;
    its new version. Another writer got there first: ``ORDER_STATUS_INVALID``."""
    values: dict[str, Any] = {"version": read_version + 1, "updated_at": now}
    if status is not None:
        values["status"] = status.value
    if payment_status is not None:
        values["payment_status"] = payment_status.value
    moved = await uow.session.execute(
        update(orders_table)
        .where(orders_table.c.id == order_id, orders_table.c.version == read_version)
        .values(**values)
        .returning(orders_table.c.version)
    )
    if moved.scalar_one_or_none() is None:
        raise DomainError.single(
            ErrorCode.ORDER_STATUS_INVALID, "The order changed meanwhile; read it again", "id"
        )
    return read_version + 1


async def complete_cart(
    uow: UnitOfWork, cart_id: CartId, *, read_version: int, now: datetime
) -> int:
    """The cart becomes read-only: completed, at its next version (it is locked by the
    checkout, so the guard holds by construction)."""
    completed = await uow.session.execute(
        update(carts_table)
        .where(
            carts_table.c.id == cart_id,
            carts_table.c.version == read_version,
            carts_table.c.status == CartStatus.ACTIVE.value,
        )
        .values(status=CartStatus.COMPLETED.value, version=read_version + 1, updated_at=now)
        .returning(carts_table.c.version)
    )
    if completed.scalar_one_or_none() is None:
        raise DomainError.single(
            ErrorCode.CART_VERSION_CONFLICT, "The cart changed during checkout", "token"
        )
    return read_version + 1


async def set_payment(
    uow: UnitOfWork,
    order_id: OrderId,
    provider: str,
    status: PaymentStatus,
    *,
    now: datetime,
    refunded_minor: int | None = None,
) -> None:
    """The order's payment with ``provider`` at its new status (and refunded total)."""
    values: dict[str, Any] = {"status": status.value, "updated_at": now}
    if refunded_minor is not None:
        values["refunded_minor"] = refunded_minor
    await uow.session.execute(
        update(payments_table)
        .where(payments_table.c.order_id == order_id, payments_table.c.provider == provider)
        .values(**values)
    )
