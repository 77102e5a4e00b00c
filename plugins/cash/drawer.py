"""Cash's answers to the payment hooks: the money is in the drawer as soon as it is
counted, so every transaction succeeds; only too little cash is declined."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from plugins.cash.settings import CashSettings

PROVIDER = "cash"
SHORT = "CASH_TENDERED_SHORT"


@hookimpl
def omnicart_payment_authorize(request: PaymentRequest) -> Authorization:
    tendered = tendered_amount(request.data, request.amount.currency)
    if tendered is None or tendered < request.amount:
        given = "nothing" if tendered is None else str(tendered)
        return Authorization(
            provider=PROVIDER,
            outcome=AuthorizationOutcome.DECLINED,
            amount=request.amount,
            reference=request.reference,
            message=f"Cash tendered ({given}) is less than the total {request.amount}",
            decline_code=SHORT,
        )
    return Authorization(
        provider=PROVIDER,
        outcome=AuthorizationOutcome.APPROVED,
        amount=request.amount,
        reference=request.reference,
        provider_reference=f"cash:{request.reference}",
        message=f"Cash {tendered}, change {tendered - request.amount}",
        change=tendered - request.amount,
    )


def tendered_amount(data: Mapping[str, Any], currency: str) -> Money | None:
    """``data["tendered"]`` as money in ``currency`` (a decimal string), or None."""
    value = data.get("tendered")
    if not isinstance(value, str):
        return None
    try:
        return Money.parse(value, currency)
    except ValueError:
        return None


@hookimpl
def omnicart_payment_capture(amount: Money) -> PaymentTransaction:
    return _done(TransactionKind.CAPTURE, amount, "Cash taken into the drawer")


@hookimpl
def omnicart_payment_void(authorization: Authorization) -> PaymentTransaction:
    return _done(TransactionKind.VOID, authorization.amount, "Cash handed back")


@hookimpl
def omnicart_payment_refund(amount: Money, settings: CashSettings) -> PaymentTransaction:
    return _done(TransactionKind.REFUND, amount, settings.refund_note)


def _done(kind: TransactionKind, amount: Money, message: str) -> PaymentTransaction:
    return succeeded(kind, PROVIDER, amount, message)
