"""Payments as values: what checkout asks a provider, and what the provider answered.

There are no payment tables: the order stores its payment (provider, the provider's
reference, the amounts and the status) with itself. These values travel between the
caller (checkout, cancellation, staff), ``core.payments.services`` and the provider
plugins (``core.hooks``, the payment hooks).

Money is exact (issue 13): every amount is a ``Money`` in the channel's currency, in
whole minor units, and positive. A provider authorises exactly the amount asked (no
partial authorisations); captures add up to at most the authorised amount (several
partial captures are fine, for orders fulfilled in parts); refunds add up to at most
what was captured. A plugin answering another amount, currency or provider is a plugin
failure, never silently trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.channels.model import Channel
from core.money import Money


class AuthorizationOutcome(StrEnum):
    """A provider's answer to an authorisation.

    - ``APPROVED``: the amount is held on the shopper's account until captured or voided.
    - ``DECLINED``: the provider refused (a card declined, funds short).
    - ``PENDING``: nothing is authorised yet; the shopper pays at collection (pay-at-pickup)
      and the amount is captured then.
    """

    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    PENDING = "PENDING"


class TransactionKind(StrEnum):
    CAPTURE = "CAPTURE"
    VOID = "VOID"
    REFUND = "REFUND"


class TransactionOutcome(StrEnum):
    """A provider's answer to a capture, void or refund: done, or refused by the provider."""

    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"


class PaymentStatus(StrEnum):
    """The payment status of an order (issue 13), derived by ``payment_status``."""

    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    CAPTURED = "CAPTURED"
    VOIDED = "VOIDED"
    REFUNDED = "REFUNDED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"


@dataclass(frozen=True, slots=True)
class PaymentContext:
    """Where a payment hook is asked: the channel whose provider plugin answers."""

    channel: Channel


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """An authorisation checkout asks for.

    ``reference`` is the caller's idempotent reference (the order number): asking again
    with the same reference must not authorise twice, so a provider passes it on as its
    idempotency key. ``data`` is what the client sent for the provider (a card token);
    it is never logged, hence kept out of ``repr``. ``pickup_only`` says every line of
    the order is collected at a store, which providers paid at collection require.
    """

    provider: str
    amount: Money
    reference: str
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)
    email: str | None = None
    pickup_only: bool = False


@dataclass(frozen=True, slots=True)
class Authorization:
    """A provider's answer to a ``PaymentRequest``; the order keeps it to capture, void
    or refund later.

    ``amount`` is the amount asked: held when APPROVED, due at collection when PENDING,
    refused when DECLINED. ``provider_reference`` is the provider's own id (a PSP
    payment id), None when the provider has none. ``message`` is for people.
    ``change``: cash to hand back to the shopper (the till's ``cash`` provider), None
    for every other provider. ``decline_code``: for a DECLINED answer, a more precise
    code from ``DECLINE_CODES`` (else the client gets ``PAYMENT_DECLINED``).
    """

    provider: str
    outcome: AuthorizationOutcome
    amount: Money
    reference: str
    provider_reference: str | None = None
    message: str = ""
    change: Money | None = None
    decline_code: str | None = None


# The codes a provider may give for its decline instead of PAYMENT_DECLINED (values of
# ``core.errors.ErrorCode``): cash short of the total at the till.
DECLINE_CODES = frozenset({"CASH_TENDERED_SHORT"})


@dataclass(frozen=True, slots=True)
class PaymentTransaction:
    """A provider's answer to a capture, void or refund.

    ``amount`` is the amount captured or refunded; for a void, the authorised amount
    released. ``outcome`` DECLINED means the provider refused and nothing moved.
    """

    kind: TransactionKind
    provider: str
    outcome: TransactionOutcome
    amount: Money
    provider_reference: str | None = None
    message: str = ""


def succeeded(
    kind: TransactionKind,
    provider: str,
    amount: Money,
    message: str = "",
    *,
    provider_reference: str | None = None,
) -> PaymentTransaction:
    """A provider's SUCCEEDED answer (for providers whose money never bounces: cash,
    pay-at-pickup, a test terminal)."""
    return PaymentTransaction(
        kind=kind,
        provider=provider,
        outcome=TransactionOutcome.SUCCEEDED,
        amount=amount,
        provider_reference=provider_reference,
        message=message,
    )


def authorization_mismatch(request: PaymentRequest, answer: Authorization) -> str | None:
    """Why a plugin's answer does not fit the request it was given, or None if it does."""
    if answer.provider != request.provider:
        return f"answered for provider {answer.provider!r}"
    if answer.reference != request.reference:
        return "answered for another reference"
    if answer.amount != request.amount:
        return "answered for another amount or currency"
    if not isinstance(answer.outcome, AuthorizationOutcome):
        return "answered with an unknown outcome"
    return None


def transaction_mismatch(
    kind: TransactionKind, authorization: Authorization, amount: Money, answer: PaymentTransaction
) -> str | None:
    """Why a plugin's capture, void or refund answer does not fit what was asked, or None."""
    if answer.kind is not kind:
        return f"answered a {answer.kind} for a {kind}"
    if answer.provider != authorization.provider:
        return f"answered for provider {answer.provider!r}"
    if answer.amount != amount:
        return "answered for another amount or currency"
    if not isinstance(answer.outcome, TransactionOutcome):
        return "answered with an unknown outcome"
    return None


def payment_status(
    authorization: Authorization, *, captured: Money, refunded: Money, voided: bool
) -> PaymentStatus:
    """The status of a payment from its authorisation and the totals of its transactions.

    A void wins; then refunds (all of what was captured: REFUNDED, part: PARTIALLY_REFUNDED);
    then any capture (a partial capture is CAPTURED too); then the authorisation itself.
    A declined authorisation has no status: no order is placed with one.
    """
    if authorization.outcome is AuthorizationOutcome.DECLINED:
        raise ValueError("a declined authorisation has no payment status")
    if voided:
        return PaymentStatus.VOIDED
    if not refunded.is_zero():
        return PaymentStatus.REFUNDED if refunded >= captured else PaymentStatus.PARTIALLY_REFUNDED
    if not captured.is_zero():
        return PaymentStatus.CAPTURED
    if authorization.outcome is AuthorizationOutcome.PENDING:
        return PaymentStatus.PENDING
    return PaymentStatus.AUTHORIZED
