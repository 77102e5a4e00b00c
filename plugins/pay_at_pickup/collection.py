"""Pay-at-pickup's answers to the payment hooks: money moves only at the store's desk.

At checkout nothing is held, so the authorisation is PENDING with no provider
reference; capturing records the payment taken at collection; voiding (an order
cancelled before collection) releases nothing; a refund is cash or card handed back
at the desk, recorded here.
"""

from __future__ import annotations

from core.hooks import hookimpl
from core.money import Money
from core.payments.model import (
    Authorization,
    AuthorizationOutcome,
    PaymentRequest,
    PaymentTransaction,
    TransactionKind,
    succeeded,
)
from plugins.pay_at_pickup.settings import PayAtPickupSettings

PROVIDER = "pay-at-pickup"


@hookimpl
def omnicart_payment_authorize(
    request: PaymentRequest, settings: PayAtPickupSettings
) -> Authorization:
    return Authorization(
        provider=PROVIDER,
        outcome=AuthorizationOutcome.PENDING,
        amount=request.amount,
        reference=request.reference,
        message=settings.instructions,
    )


@hookimpl
def omnicart_payment_capture(authorization: Authorization, amount: Money) -> PaymentTransaction:
    return _done(TransactionKind.CAPTURE, amount, "Paid at collection")


@hookimpl
def omnicart_payment_void(authorization: Authorization) -> PaymentTransaction:
    return _done(TransactionKind.VOID, authorization.amount, "Nothing was charged")


@hookimpl
def omnicart_payment_refund(authorization: Authorization, amount: Money) -> PaymentTransaction:
    return _done(TransactionKind.REFUND, amount, "Refunded at the store")


def _done(kind: TransactionKind, amount: Money, message: str) -> PaymentTransaction:
    return succeeded(kind, PROVIDER, amount, message)
