"""Capturing an order's payment (issue 14), at the moment its channel says.

A channel captures ``AT_FULFILLMENT`` (the default: the first fulfilment captures what
was authorised) or ``AT_PLACEMENT`` (checkout captures as the order is placed). Orders
paid at collection (pay-at-pickup, authorised as PENDING) are captured only when the
customer collects them. ``capture_order_payment`` is the one function every caller
uses, inside the caller's unit of work: it captures what is left of each payment
through ``core.payments.services.capture`` (the provider's plugin), stores the
captured amount and the CAPTURED status, moves the order's version, appends a history
entry and records ``PaymentChanged``. Units cancelled before the capture
(``core.orders.cancelled_units``) are not taken. A provider that declines or fails raises, and
the caller's transaction rolls back with it.
"""

from __future__ import annotations

from enum import StrEnum

from core.channels.model import Channel, PaymentCapture
from core.ids import OrderId
from core.money import Money
from core.orders import writes
from core.orders.cancelled_units import cancelled_value
from core.orders.events import PaymentChanged
from core.orders.queries import orders_by_ids
from core.payments import services as payments
from core.payments.model import Authorization, AuthorizationOutcome, PaymentStatus
from core.uow import UnitOfWork


class CaptureMoment(StrEnum):
    """Where in the order's life the caller is."""

    PLACEMENT = "placement"
    FULFILMENT = "fulfilment"
    PICKUP = "pickup"
    # A sale at the till (core.orders.till): paid as it is made.
    TILL = "till"
    # Cancelling a partly fulfilled order whose payment is still authorised: what was
    # fulfilled is taken, the rest never is.
    CANCELLATION = "cancellation"


def _due(moment: CaptureMoment, channel: Channel, status: PaymentStatus) -> bool:
    if moment is CaptureMoment.PLACEMENT:
        return channel.payment_capture is PaymentCapture.AT_PLACEMENT and (
            status is PaymentStatus.AUTHORIZED
        )
    if moment in (CaptureMoment.FULFILMENT, CaptureMoment.CANCELLATION):
        # Whatever the setting: an authorisation still open when goods leave is taken.
        return status is PaymentStatus.AUTHORIZED
    return status in (PaymentStatus.AUTHORIZED, PaymentStatus.PENDING)


async def capture_order_payment(
    uow: UnitOfWork,
    order_id: OrderId,
    channel: Channel,
    *,
    moment: CaptureMoment,
    actor: str,
) -> int | None:
    """Capture the order's payments that are due at ``moment`` (see the module
    docstring); the order's new version, or None when nothing was due.

    Raises ``DomainError`` (``PAYMENT_DECLINED``, ...) and ``PluginError`` from the
    provider; the caller's transaction then writes nothing.
    """
    if moment is CaptureMoment.PLACEMENT and channel.payment_capture is not (
        PaymentCapture.AT_PLACEMENT
    ):
        return None  # checkout's common case: no read at all
    (order,) = await orders_by_ids(uow.session, [order_id])
    due = [payment for payment in order.payments if _due(moment, channel, payment.status)]
    if not due:
        return None
    now = uow.clock.now()
    cancelled = cancelled_value(order)
    for payment in due:
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
        # Cancelled units (``orderLinesCancel``) are never taken.
        owed = max(payment.amount - cancelled, Money.zero(cancelled.currency))
        left = owed - payment.captured
        if left > Money.zero(left.currency):
            await payments.capture(
                uow.plugins, channel, authorization, left, already_captured=payment.captured
            )
        await writes.set_payment(
            uow,
            order.id,
            payment.provider,
            PaymentStatus.CAPTURED,
            now=now,
            captured_minor=max(owed, payment.captured).minor_units,
        )
        cancelled = Money.zero(cancelled.currency)  # counted against the first payment
    version = await writes.move_order(
        uow, order.id, read_version=order.version, now=now, payment_status=PaymentStatus.CAPTURED
    )
    await writes.append_history(
        uow,
        order.id,
        at=now,
        status=order.status,
        payment_status=PaymentStatus.CAPTURED,
        actor=actor,
        note=f"Payment captured at {moment.value}",
    )
    uow.record(PaymentChanged(order.id, PaymentStatus.CAPTURED.value, version))
    return version
