"""The order's writes, one by one: each runs its step of ``core.orders.order_steps``
(the one builder of that write) in the unit of work's transaction. Checkout runs its
last steps in its commit instead (``core.orders.checkout``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from core.db.chain import Chain, GuardFailed, Step
from core.ids import CartId, OrderId, OrderLineId
from core.orders.model import OrderStatus
from core.orders.order_steps import (
    complete_cart_step,
    complete_cart_values,
    groups_step,
    groups_values,
    guard_error,
    history_step,
    history_values,
    lines_statement,
    lines_values,
    move_step,
    move_values,
    order_step,
    order_values,
    payment_step,
    payment_values,
    set_payment_step,
)
from core.payments.model import PaymentStatus
from core.uow import UnitOfWork

# -- run one by one --------------------------------------------------------------------


async def _run(uow: UnitOfWork, steps: tuple[Step, ...], values: Mapping[str, Any]) -> Any:
    try:
        return await uow.run(Chain(steps), values)
    except GuardFailed as failed:
        raise guard_error(failed) from None


async def insert_order(uow: UnitOfWork, values: dict[str, Any]) -> OrderId:
    written = await _run(uow, (order_step(),), order_values(values))
    return OrderId(written["placed"].first.id)


async def insert_lines(
    uow: UnitOfWork, order_id: OrderId, lines: Sequence[dict[str, Any]]
) -> list[OrderLineId]:
    """The order's lines, in the order given; their ids in that order (one statement)."""
    if not lines:
        return []
    rows = await uow.fetch(lines_statement(len(lines)), lines_values(order_id, lines))
    return [OrderLineId(line_id) for line_id in sorted(row.id for row in rows)]


async def insert_groups(
    uow: UnitOfWork, order_id: OrderId, groups: Sequence[dict[str, Any]]
) -> None:
    if groups:
        await _run(uow, (groups_step(len(groups)),), groups_values(order_id, groups))


async def insert_payment(uow: UnitOfWork, order_id: OrderId, values: dict[str, Any]) -> None:
    await _run(uow, (payment_step(),), payment_values(order_id, values))


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
    values = history_values(
        order_id, at=at, status=status, payment_status=payment_status, actor=actor, note=note
    )
    await _run(uow, (history_step(),), values)


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
    step = move_step(status=status is not None, payment_status=payment_status is not None)
    values = move_values(
        order_id, read_version=read_version, now=now, status=status, payment_status=payment_status
    )
    await _run(uow, (step,), values)
    return read_version + 1


async def complete_cart(
    uow: UnitOfWork, cart_id: CartId, *, read_version: int, now: datetime
) -> int:
    """The cart becomes read-only: completed, at its next version."""
    await _run(
        uow,
        (complete_cart_step(),),
        complete_cart_values(cart_id, read_version=read_version, now=now),
    )
    return read_version + 1


async def set_payment(
    uow: UnitOfWork,
    order_id: OrderId,
    provider: str,
    status: PaymentStatus,
    *,
    now: datetime,
    captured_minor: int | None = None,
    refunded_minor: int | None = None,
) -> None:
    """The order's payment with ``provider`` at its new status (and captured and/or
    refunded total)."""
    values: dict[str, Any] = {
        "payment_order_id": order_id,
        "payment_provider": provider,
        "payment_status": status.value,
        "payment_updated_at": now,
    }
    if captured_minor is not None:
        values["payment_captured_minor"] = captured_minor
    if refunded_minor is not None:
        values["payment_refunded_minor"] = refunded_minor
    step = set_payment_step(
        captured=captured_minor is not None, refunded=refunded_minor is not None
    )
    await _run(uow, (step,), values)
