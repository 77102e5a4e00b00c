"""The test terminal's answers to the payment hooks (see the package docstring)."""

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
from plugins.card_present.settings import CardPresentSettings

PROVIDER = "card-present"
DECLINED_CARD = "4000000000000002"


@hookimpl
def omnicart_payment_authorize(
    request: PaymentRequest, settings: CardPresentSettings
) -> Authorization:
    card = card_number(request.data)
    if card is None or card == DECLINED_CARD:
        reason = "No card was read" if card is None else "Declined by the card issuer"
        return Authorization(
            provider=PROVIDER,
            outcome=AuthorizationOutcome.DECLINED,
            amount=request.amount,
            reference=request.reference,
            message=reason,
        )
    return Authorization(
        provider=PROVIDER,
        outcome=AuthorizationOutcome.APPROVED,
        amount=request.amount,
        reference=request.reference,
        provider_reference=f"{settings.terminal}:{request.reference}:{card[-4:]}",
        message=f"Approved, card ending {card[-4:]}",
    )


def card_number(data: Mapping[str, Any]) -> str | None:
    """The card number the terminal read (spaces allowed), or None if it is not one."""
    value = data.get("card")
    if not isinstance(value, str):
        return None
    digits = value.replace(" ", "")
    return digits if digits.isdigit() and 12 <= len(digits) <= 19 else None


@hookimpl
def omnicart_payment_capture(authorization: Authorization, amount: Money) -> PaymentTransaction:
    return _card(TransactionKind.CAPTURE, authorization, amount)


@hookimpl
def omnicart_payment_void(authorization: Authorization) -> PaymentTransaction:
    return _card(TransactionKind.VOID, authorization, authorization.amount)


@hookimpl
def omnicart_payment_refund(authorization: Authorization, amount: Money) -> PaymentTransaction:
    return _card(TransactionKind.REFUND, authorization, amount)


def _card(kind: TransactionKind, authorization: Authorization, amount: Money) -> PaymentTransaction:
    reference = f"{authorization.provider_reference}:{kind.lower()}:{amount.minor_units}"
    message = f"{kind.capitalize()} to the card"
    return succeeded(kind, PROVIDER, amount, message, provider_reference=reference)
