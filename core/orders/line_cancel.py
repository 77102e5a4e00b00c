"""Cancelling units of an order's lines (issue 14): ``orderLinesCancel``, by staff.

Only units neither fulfilled nor cancelled already may be cancelled; asking for more is
``QUANTITY_EXCEEDS_UNFULFILLED`` on ``lines.<i>.quantity`` and writes nothing. In one
transaction, with the order row's version as the guard (taken first, so fulfilments
and other cancellations of the order queue behind it):
- the units are recorded as cancelled on their lines (``core.orders.cancelled_units``);
- exactly those units' allocations are released (``core.inventory.allocated.
  release_held``), at the locations the line's plan names first;
- the status follows (``core.orders.progress.derive_status``, where cancelled units are
  not due): CANCELLED when every unit is cancelled, FULFILLED or COMPLETED when the
  rest was fulfilled; a history entry names the actor, the units and the reason;
- the money: with every unit cancelled, the order is settled as a whole cancellation
  (authorised: voided, captured: refunded, delivery included); otherwise a captured
  payment refunds the units' value through ``core.orders.refunds.pay_back`` (a refund
  row, ``RefundCreated``), and an authorised one will simply never capture it
  (``core.orders.capture``);
- ``OrderLinesCancelled`` (and ``OrderCancelled`` when the order is) is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from core.channels import queries as channel_queries
from core.errors import DomainError, ErrorCode, Problem
from core.ids import LocationId, OrderId, OrderLineId, VariantId
from core.inventory.allocated import held_at, release_held
from core.inventory.levels import StockKey
from core.inventory.model import OwnerKind
from core.orders import writes
from core.orders.cancel import settle_cancelled_units, settle_whole
from core.orders.cancelled_units import add_cancelled
from core.orders.events import OrderCancelled, OrderLinesCancelled
from core.orders.fulfil import FulfilmentLineInput, line_input_problems, status_now
from core.orders.fulfilment_queries import fulfilled_by_line
from core.orders.locations import order_location_ids
from core.orders.model import OPEN_STATUSES, Order, OrderStatus
from core.orders.progress import record_progress
from core.orders.queries import orders_by_ids
from core.uow import UnitOfWork
from core.validation import text_problems

MAX_REASON_LENGTH = 500


async def cancel_lines(
    uow: UnitOfWork,
    *,
    order_id: OrderId,
    lines: Sequence[FulfilmentLineInput],
    reason: str,
    actor: str,
) -> Order:
    """Cancel units of the order's lines (see the module docstring); the order after.

    Raises ``DomainError``: ``REQUIRED`` / ``INVALID`` (no lines, too many, a reason
    over 500 characters), ``INVALID_QUANTITY``, ``DUPLICATE``, ``ORDER_NOT_FOUND``,
    ``ORDER_STATUS_INVALID``, ``UNKNOWN_ORDER_LINE``, ``QUANTITY_EXCEEDS_UNFULFILLED``,
    ``QUANTITY_NOT_ALLOCATED``, ``REFUND_EXCEEDS_CAPTURED``, ``PAYMENT_DECLINED``;
    ``PluginError`` from the provider.
    """
    reason = reason.strip()
    problems = line_input_problems(lines) + text_problems(
        reason, field="reason", max_length=MAX_REASON_LENGTH, required=False
    )
    if problems:
        raise DomainError(problems)
    async with uow:
        order = await _open_order(uow, order_id)
        units = {line.order_line_id: line.quantity for line in lines}
        # Take the order's version first: fulfilments and cancellations of it queue here.
        version = await writes.move_order(
            uow, order.id, read_version=order.version, now=uow.clock.now()
        )
        fulfilled = await fulfilled_by_line(await uow.connection(), order.id)
        held = await held_at(uow, OwnerKind.ORDER, str(order.id))
        released = _units_to_release(order, lines, fulfilled, held)
        await add_cancelled(uow, order.id, units)
        await release_held(uow, owner_kind=OwnerKind.ORDER, owner_id=str(order.id), units=released)
        (changed,) = await orders_by_ids(uow.session, [order.id])
        status = await status_now(uow, changed)
        note = "Cancelled " + ", ".join(
            f"{quantity} of {_sku(order, line_id)}" for line_id, quantity in units.items()
        )
        version = await record_progress(
            uow,
            changed,
            status,
            version=version,
            actor=actor,
            note=f"{note}: {reason}" if reason else note,
        )
        await _settle(uow, order, status, units, actor=actor, reason=reason)
        (after,) = await orders_by_ids(uow.session, [order.id])
        locations = tuple(sorted({location_id for _, location_id in released}))
        uow.record(
            OrderLinesCancelled(
                order.id, tuple(sorted(units.items())), locations, status.value, after.version
            )
        )
        if status is OrderStatus.CANCELLED:
            uow.record(
                OrderCancelled(order.id, after.version, tuple(sorted(order_location_ids(order))))
            )
        await uow.commit()
    return after


async def _open_order(uow: UnitOfWork, order_id: OrderId) -> Order:
    found = await orders_by_ids(uow.session, [order_id])
    if not found:
        raise DomainError.single(ErrorCode.ORDER_NOT_FOUND, "No such order", "order_id")
    order = found[0]
    if order.status not in OPEN_STATUSES:
        raise DomainError.single(
            ErrorCode.ORDER_STATUS_INVALID,
            f"An order that is {order.status.value} has no lines left to cancel",
            "order_id",
        )
    return order


def _units_to_release(
    order: Order,
    lines: Sequence[FulfilmentLineInput],
    fulfilled: dict[OrderLineId, int],
    held: dict[StockKey, int],
) -> dict[StockKey, int]:
    """Check ``lines`` against the order (its own lines, units left neither fulfilled
    nor cancelled, held by the order) and pick the allocations they release: at the
    locations the line's plan names first, then wherever else the order holds them."""
    by_id = {line.id: line for line in order.lines}
    planned: dict[OrderLineId, list[LocationId]] = defaultdict(list)
    for group in order.delivery_groups:
        for planned_units in group.lines:
            planned[planned_units.order_line_id].append(planned_units.location_id)
    left_held = dict(held)
    released: dict[StockKey, int] = defaultdict(int)
    problems: list[Problem] = []
    for index, wanted in enumerate(lines):
        line = by_id.get(wanted.order_line_id)
        if line is None or line.variant_id is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_ORDER_LINE,
                    "The order has no such line",
                    f"lines.{index}.order_line_id",
                )
            )
            continue
        left = line.due_quantity - fulfilled.get(line.id, 0)
        if wanted.quantity > left:
            problems.append(
                Problem(
                    ErrorCode.QUANTITY_EXCEEDS_UNFULFILLED,
                    f"Only {left} of {line.quantity} are left unfulfilled and not cancelled",
                    f"lines.{index}.quantity",
                )
            )
            continue
        variant_id = VariantId(line.variant_id)
        places = planned[line.id] + sorted(
            location_id for (variant, location_id) in left_held if variant == variant_id
        )
        needed = wanted.quantity
        for location_id in dict.fromkeys(places):
            take = min(needed, left_held.get((variant_id, location_id), 0))
            if take > 0:
                left_held[(variant_id, location_id)] -= take
                released[(variant_id, location_id)] += take
                needed -= take
        if needed:
            problems.append(
                Problem(
                    ErrorCode.QUANTITY_NOT_ALLOCATED,
                    "The order does not hold these units any more",
                    f"lines.{index}.quantity",
                )
            )
    if problems:
        raise DomainError(problems)
    return dict(released)


def _sku(order: Order, line_id: OrderLineId) -> str:
    return next(line.sku for line in order.lines if line.id == line_id)


async def _settle(
    uow: UnitOfWork,
    before: Order,
    status: OrderStatus,
    units: dict[OrderLineId, int],
    *,
    actor: str,
    reason: str,
) -> None:
    """The money for the cancelled units (see the module docstring)."""
    connection = await uow.connection()
    channels = await channel_queries.channels_by_id(connection, [before.channel_id])
    channel = channels[before.channel_id]
    if status is OrderStatus.CANCELLED:
        (order,) = await orders_by_ids(uow.session, [before.id])
        await settle_whole(uow, order, channel, version=order.version)
        return
    await settle_cancelled_units(
        uow, before, channel, units, actor=actor, reason=reason, capture_authorised=False
    )
