"""Cancelling an order: its allocations released, its payment voided or refunded.

Staff (scope ``orders:manage``) may cancel an order in any status that allows it; the
customer who placed it (or the guest holding its token) while it is PLACED or
CONFIRMED. In one transaction, with the order row's version as the guard: every unit
the order still holds goes back to stock where it was allocated, the payment is
voided (authorised) or refunded (captured) through its provider, the status moves to
CANCELLED with a history entry naming the actor and the reason, and
``OrderCancelled`` and ``PaymentChanged`` are recorded. Every unit not fulfilled is
recorded as cancelled on its line.

When part of the order was fulfilled already (it was PARTIALLY_FULFILLED or
READY_FOR_PICKUP), only the unfulfilled units are given up: their value
(``core.orders.cancelled_units``) is refunded, or, while the payment is only
authorised, what is still due is captured and the rest never is; the delivery amount
is kept (``settle_unfulfilled``). A provider that refuses or
fails leaves the order as it was (``PLUGIN_FAILED``, or its own decline).
"""

from __future__ import annotations

from collections.abc import Mapping

from core.channels import queries as channel_queries
from core.channels.model import Channel
from core.errors import DomainError, ErrorCode
from core.ids import OrderId, OrderLineId, VariantId
from core.money import Money
from core.orders import writes
from core.orders.allocation import release_allocations
from core.orders.cancelled_units import add_cancelled, value_of_more
from core.orders.capture import CaptureMoment, capture_order_payment
from core.orders.events import OrderCancelled, PaymentChanged
from core.orders.fulfilment_queries import fulfilled_by_line
from core.orders.locations import order_location_ids
from core.orders.model import TRANSITIONS, Order, OrderStatus
from core.orders.queries import orders_by_ids
from core.orders.refunds import cancellation_key, pay_back
from core.orders.return_model import RefundLine
from core.payments import services as payments
from core.payments.model import Authorization, AuthorizationOutcome, PaymentStatus
from core.uow import UnitOfWork

MAX_REASON_LENGTH = 500


async def cancel_order(
    uow: UnitOfWork, order_id: OrderId, *, actor: str, reason: str, by_staff: bool
) -> Order:
    """Cancel the order (see the module docstring); the order as it is afterwards.

    Raises ``DomainError``: ``ORDER_NOT_FOUND``, ``ORDER_STATUS_INVALID``, ``INVALID``
    (a reason over 500 characters); ``PluginError`` when the provider fails.
    """
    reason = reason.strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError.single(
            ErrorCode.INVALID, f"A reason is at most {MAX_REASON_LENGTH} characters", "reason"
        )
    async with uow:
        found = await orders_by_ids(uow.session, [order_id])
        if not found:
            raise DomainError.single(ErrorCode.ORDER_NOT_FOUND, "No such order", "id")
        order = found[0]
        allowed = OrderStatus.CANCELLED in TRANSITIONS[order.status]
        if not allowed or (not by_staff and order.status not in _CUSTOMER_MAY_CANCEL):
            raise DomainError.single(
                ErrorCode.ORDER_STATUS_INVALID,
                f"An order that is {order.status.value} cannot be cancelled",
                "id",
            )
        now = uow.clock.now()
        channels = await channel_queries.channels_by_id(await uow.connection(), [order.channel_id])
        channel = channels[order.channel_id]
        # Take the order's version first: a concurrent cancel waits here, then fails.
        version = await writes.move_order(
            uow, order.id, read_version=order.version, now=now, status=OrderStatus.CANCELLED
        )
        variant_ids = sorted(
            {VariantId(line.variant_id) for line in order.lines if line.variant_id}
        )
        await release_allocations(uow, channel, order.id, variant_ids)
        fulfilled = await fulfilled_by_line(await uow.connection(), order.id)
        units = {line.id: line.due_quantity - fulfilled.get(line.id, 0) for line in order.lines}
        await add_cancelled(uow, order.id, units)
        if any(fulfilled.values()):
            await settle_cancelled_units(
                uow, order, channel, units, actor=actor, reason=reason, capture_authorised=True
            )
        else:
            await settle_whole(uow, order, channel, version=version)
        (settled,) = await orders_by_ids(uow.session, [order.id])
        note = f"Cancelled: {reason}" if reason else "Cancelled"
        await writes.append_history(
            uow,
            order.id,
            at=now,
            status=OrderStatus.CANCELLED,
            payment_status=settled.payment_status,
            actor=actor,
            note=note,
        )
        uow.record(
            OrderCancelled(order.id, settled.version, tuple(sorted(order_location_ids(order))))
        )
        (cancelled,) = await orders_by_ids(uow.session, [order.id])
        await uow.commit()
    return cancelled


async def settle_cancelled_units(
    uow: UnitOfWork,
    before: Order,
    channel: Channel,
    units: Mapping[OrderLineId, int],
    *,
    actor: str,
    reason: str,
    capture_authorised: bool,
) -> None:
    """The payment after ``units`` were cancelled while others stay fulfilled or due
    (the units already written as cancelled; ``before``: the order as read before
    that). A captured payment refunds the cancelled units' value
    (``core.orders.refunds.pay_back``, never more than is left captured); an authorised
    one is captured for what is still due when ``capture_authorised`` (a partly
    fulfilled order cancelled whole), else left for its capture, which will not take
    the cancelled units. The delivery amount is kept."""
    (order,) = await orders_by_ids(uow.session, [before.id])
    if any(payment.status is PaymentStatus.AUTHORIZED for payment in order.payments):
        if capture_authorised:
            await capture_order_payment(
                uow, order.id, channel, moment=CaptureMoment.CANCELLATION, actor=actor
            )
        return
    currency = order.cost.total_amount.currency
    value = Money.zero(currency)
    for line in before.lines:
        value = value + value_of_more(line, units.get(line.id, 0))
    outstanding = Money.zero(currency)
    for payment in order.payments:
        outstanding = outstanding + (payment.captured - payment.refunded)
    amount = min(value, outstanding)
    if amount <= Money.zero(currency):
        return
    await pay_back(
        uow,
        order,
        channel,
        amount,
        lines=[RefundLine(line_id, quantity) for line_id, quantity in units.items() if quantity],
        reason=f"Cancelled: {reason}" if reason else "Cancelled",
        key=cancellation_key(order),
        actor=actor,
    )


_CUSTOMER_MAY_CANCEL = frozenset({OrderStatus.PLACED, OrderStatus.CONFIRMED})


async def settle_whole(
    uow: UnitOfWork, order: Order, channel: Channel, *, version: int
) -> PaymentStatus:
    """Void what is authorised, refund what is captured (nothing of the order was
    fulfilled); the order's payment status moves (``version``: the one this transaction
    holds) and ``PaymentChanged`` is recorded. The payment status after."""
    status = await _settle(uow, order, channel)
    if status is not order.payment_status:
        version = await writes.move_order(
            uow, order.id, read_version=version, now=uow.clock.now(), payment_status=status
        )
        uow.record(PaymentChanged(order.id, status.value, version))
    return status


async def _settle(uow: UnitOfWork, order: Order, channel: Channel) -> PaymentStatus:
    """Void what is authorised, refund what is captured; the payment status after."""
    status = order.payment_status
    for payment in order.payments:
        authorization = Authorization(
            provider=payment.provider,
            outcome=(
                AuthorizationOutcome.PENDING
                if payment.status is PaymentStatus.PENDING
                else AuthorizationOutcome.APPROVED
            ),
            amount=payment.amount,
            reference=order.number,
            provider_reference=payment.reference,
        )
        if payment.status is PaymentStatus.AUTHORIZED:
            await payments.void(uow.plugins, channel, authorization)
            status = PaymentStatus.VOIDED
        elif payment.status in (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED):
            outstanding = payment.captured - payment.refunded
            if outstanding > Money.zero(outstanding.currency):
                await payments.refund(
                    uow.plugins,
                    channel,
                    authorization,
                    outstanding,
                    captured=payment.captured,
                    already_refunded=payment.refunded,
                )
            status = PaymentStatus.REFUNDED
        elif payment.status is PaymentStatus.PENDING:
            status = PaymentStatus.VOIDED  # nothing was authorised; nothing will be taken
        await writes.set_payment(
            uow,
            order.id,
            payment.provider,
            status,
            now=uow.clock.now(),
            refunded_minor=(
                payment.captured.minor_units if status is PaymentStatus.REFUNDED else None
            ),
        )
    return status
