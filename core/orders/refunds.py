"""Refunds (issue 14): ``refundCreate``, by staff with ``orders:manage``.

An amount, or the price of some units of the order's lines, is paid back through the
order's payment provider (``core.payments.services.refund``, the provider's plugin);
refunds may be partial and add up to at most what was captured
(``REFUND_EXCEEDS_CAPTURED``). Each refund is made with an idempotency key: the same
key with the same arguments answers the refund made the first time (nothing is
refunded twice), the same key with other arguments is ``IDEMPOTENCY_KEY_REUSED``.

In one transaction, with the order row locked first (refunds of one order queue, and
a retry racing its original finds the refund): the provider refunds, the payment's
refunded total and status move (PARTIALLY_REFUNDED, or REFUNDED when all that was
captured is back) through ``core.orders.writes.set_payment``, the order's payment
status and version move, a history entry and the refund row are written, and
``PaymentChanged`` (when the status changed) and ``RefundCreated`` are recorded. A
provider that refuses or fails leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.carts.idempotency import Operation, fingerprint, key_digest
from core.channels import queries as channel_queries
from core.channels.model import Channel
from core.errors import DomainError, ErrorCode, Problem
from core.ids import LocationId, OrderId, RefundId
from core.money import Money
from core.orders import writes
from core.orders.events import PaymentChanged
from core.orders.fulfilment_queries import fulfilments_by_order_ids
from core.orders.line_inputs import line_quantity_problems
from core.orders.model import Order, Payment
from core.orders.queries import orders_by_ids
from core.orders.return_events import RefundCreated
from core.orders.return_model import Refund, RefundLine
from core.orders.return_queries import (
    refund_by_key,
    refund_from_row,
    refunds_table,
    returns_by_order_ids,
)
from core.orders.return_steps import insert_refund, lock_order
from core.payments import services as payments
from core.payments.model import Authorization, AuthorizationOutcome, PaymentStatus
from core.uow import UnitOfWork
from core.validation import text_problems

MAX_KEY_LENGTH = 128
MAX_REASON_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Refunded:
    """The refund, and whether this answers a retry (made by an earlier request)."""

    refund: Refund
    replayed: bool


async def create_refund(
    uow: UnitOfWork,
    *,
    order_id: OrderId,
    amount: Money | None,
    lines: Sequence[RefundLine] | None,
    reason: str,
    idempotency_key: str,
    actor: str,
) -> Refunded:
    """Refund ``amount``, or the price of ``lines``, of the order (see the module).

    Raises ``DomainError``: ``REQUIRED``, ``INVALID``, ``INVALID_QUANTITY``,
    ``DUPLICATE``, ``ORDER_NOT_FOUND``, ``UNKNOWN_ORDER_LINE``, ``IDEMPOTENCY_KEY_REUSED``,
    ``CURRENCY_MISMATCH``, ``INVALID_AMOUNT``, ``REFUND_EXCEEDS_CAPTURED``,
    ``PAYMENT_PROVIDER_NOT_ACCEPTED``, ``PAYMENT_DECLINED``; ``PluginError``.
    """
    problems = _input_problems(amount, lines, reason, idempotency_key)
    if problems:
        raise DomainError(problems)
    digest = key_digest("refund", idempotency_key)
    arguments = fingerprint(
        Operation.REFUND,
        {
            "order": order_id,
            "amount": None if amount is None else [amount.minor_units, amount.currency],
            "lines": None
            if lines is None
            else sorted([line.order_line_id, line.quantity] for line in lines),
            "reason": reason.strip(),
        },
    )
    async with uow:
        connection = await uow.connection()
        if (await connection.execute(lock_order(), {"order_id": order_id})).first() is None:
            raise DomainError.single(ErrorCode.ORDER_NOT_FOUND, "No such order", "order_id")
        earlier = await refund_by_key(connection, order_id, digest)
        if earlier is not None:
            if earlier.fingerprint != arguments:
                raise DomainError.single(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "This idempotency key was used for another refund",
                    "idempotency_key",
                )
            return Refunded(refund_from_row(earlier), replayed=True)
        (order,) = await orders_by_ids(uow.session, [order_id])
        wanted = amount if amount is not None else _price_of(order, lines or ())
        channels = await channel_queries.channels_by_id(connection, [order.channel_id])
        refund = await pay_back(
            uow,
            order,
            channels[order.channel_id],
            wanted,
            lines=lines or (),
            reason=reason.strip(),
            key=RefundKey(digest, arguments),
            actor=actor,
        )
        await uow.commit()
    return Refunded(refund, replayed=False)


@dataclass(frozen=True, slots=True)
class RefundKey:
    """A refund's idempotency key as stored: its digest and its arguments' fingerprint."""

    digest: str
    fingerprint: str


def cancellation_key(order: Order) -> RefundKey:
    """The key of the refund a cancellation makes: one per order version, so each
    cancelling transaction (which moves the version) has its own."""
    key = f"cancel:{order.id}:{order.version}"
    return RefundKey(key_digest("refund", key), fingerprint(Operation.REFUND, {"key": key}))


async def pay_back(
    uow: UnitOfWork,
    order: Order,
    channel: Channel,
    amount: Money,
    *,
    lines: Sequence[RefundLine],
    reason: str,
    key: RefundKey,
    actor: str,
) -> Refund:
    """Refund ``amount`` of ``order`` (as read in this transaction, at its current
    version) through its provider, inside the caller's unit of work: the payment, the
    order's payment status and version, history, the refund row and the events move
    as the module says. The one refund path of ``refundCreate`` and cancellations.

    Raises ``DomainError`` (``REFUND_EXCEEDS_CAPTURED``, ``PAYMENT_DECLINED``, ...) and
    ``PluginError`` from the provider; the caller's transaction then writes nothing.
    """
    payment = _refundable(order)
    await payments.refund(
        uow.plugins,
        channel,
        Authorization(
            provider=payment.provider,
            outcome=AuthorizationOutcome.APPROVED,
            amount=payment.amount,
            reference=order.number,
            provider_reference=payment.reference,
        ),
        amount,
        captured=payment.captured,
        already_refunded=payment.refunded,
    )
    return await _record(
        uow, order, payment, amount, lines, reason, key.digest, key.fingerprint, actor
    )


def _input_problems(
    amount: Money | None, lines: Sequence[RefundLine] | None, reason: str, key: str
) -> list[Problem]:
    problems = text_problems(
        key, field="idempotency_key", max_length=MAX_KEY_LENGTH, label="The idempotency key"
    )
    problems += text_problems(reason, field="reason", max_length=MAX_REASON_LENGTH, required=False)
    if (amount is None) == (lines is None):
        problems.append(
            Problem(ErrorCode.REQUIRED, "Give either an amount or lines to refund", "amount")
        )
        return problems
    if lines is not None:
        problems += line_quantity_problems(lines)
    return problems


def _price_of(order: Order, lines: Sequence[RefundLine]) -> Money:
    """What ``lines`` were sold for (unit price after adjustments, times units)."""
    by_id = {line.id: line for line in order.lines}
    problems: list[Problem] = []
    total = Money.zero(order.cost.total_amount.currency)
    for index, line in enumerate(lines):
        sold = by_id.get(line.order_line_id)
        if sold is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_ORDER_LINE,
                    "The order has no such line",
                    f"lines.{index}.order_line_id",
                )
            )
        elif line.quantity > sold.quantity:
            problems.append(
                Problem(
                    ErrorCode.INVALID_QUANTITY,
                    f"The line has {sold.quantity} unit(s)",
                    f"lines.{index}.quantity",
                )
            )
        else:
            total = total + sold.unit_price * line.quantity
    if problems:
        raise DomainError(problems)
    return total


def _refundable(order: Order) -> Payment:
    """The payment with captured money not yet refunded (else the first: the provider
    check then refuses with ``REFUND_EXCEEDS_CAPTURED``)."""
    for payment in order.payments:
        if payment.captured > payment.refunded:
            return payment
    if not order.payments:
        raise DomainError.single(
            ErrorCode.REFUND_EXCEEDS_CAPTURED, "Nothing was paid for this order", "amount"
        )
    return order.payments[0]


async def _record(
    uow: UnitOfWork,
    order: Order,
    payment: Payment,
    amount: Money,
    lines: Sequence[RefundLine],
    reason: str,
    digest: str,
    arguments: str,
    actor: str,
) -> Refund:
    now = uow.clock.now()
    refunded = payment.refunded + amount
    status = (
        PaymentStatus.REFUNDED if refunded >= payment.captured else PaymentStatus.PARTIALLY_REFUNDED
    )
    await writes.set_payment(
        uow, order.id, payment.provider, status, now=now, refunded_minor=refunded.minor_units
    )
    version = await writes.move_order(
        uow, order.id, read_version=order.version, now=now, payment_status=status
    )
    note = f"Refunded {amount.minor_units} {amount.currency} minor units"
    await writes.append_history(
        uow,
        order.id,
        at=now,
        status=order.status,
        payment_status=status,
        actor=actor,
        note=f"{note}: {reason}" if reason else note,
    )
    connection = await uow.connection()
    inserted = await connection.execute(
        insert_refund(),
        {
            "order_id": order.id,
            "provider": payment.provider,
            "amount_minor": amount.minor_units,
            "currency": amount.currency,
            "reason": reason,
            "lines": [
                {"order_line_id": line.order_line_id, "quantity": line.quantity} for line in lines
            ],
            "key_digest": digest,
            "fingerprint": arguments,
            "actor": actor,
            "created_at": now,
        },
    )
    refund_id = RefundId(inserted.scalar_one())
    if status is not order.payment_status:
        uow.record(PaymentChanged(order.id, status.value, version))
    location_ids = await _order_locations(uow, order.id)
    uow.record(
        RefundCreated(
            order.id, refund_id, amount.minor_units, amount.currency, location_ids, version
        )
    )
    row = (
        await connection.execute(refunds_table.select().where(refunds_table.c.id == refund_id))
    ).one()
    return refund_from_row(row)


async def _order_locations(uow: UnitOfWork, order_id: OrderId) -> tuple[LocationId, ...]:
    """Where the order's goods left from and came back to."""
    connection = await uow.connection()
    fulfilments = (await fulfilments_by_order_ids(connection, [order_id])).get(order_id, [])
    returns = (await returns_by_order_ids(connection, [order_id])).get(order_id, [])
    found = {f.location_id for f in fulfilments}
    found |= {r.location_id for r in returns if r.location_id is not None}
    return tuple(sorted(found))
