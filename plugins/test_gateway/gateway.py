"""The test gateway's answers to the payment hooks.

Declines, like a card processor's test numbers: ``{"token": "decline"}`` or the card
number ``4000000000000002`` (spaces allowed) in the payment data, an amount above
``decline_above_minor_units``, or ``mode: decline``. Provider references are derived
from the request's reference (and, for transactions, the amount), so asking twice
gives the same answer without the gateway keeping anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from core.hooks import hookimpl
from core.money import Money
from core.payments.model import (
    Authorization,
    AuthorizationOutcome,
    PaymentContext,
    PaymentRequest,
    PaymentTransaction,
    TransactionKind,
    TransactionOutcome,
)
from plugins.test_gateway.settings import GatewaySettings, Mode

PROVIDER = "test-gateway"
DECLINE_TOKEN = "decline"
DECLINED_CARD_NUMBER = "4000000000000002"


class GatewayFailure(RuntimeError):
    """What the gateway raises in ``fail`` mode: a provider that is down."""


@hookimpl
def omnicart_payment_authorize(
    context: PaymentContext, request: PaymentRequest, settings: GatewaySettings
) -> Authorization:
    if settings.mode == Mode.FAIL:
        raise GatewayFailure("test gateway set to fail authorisations")
    reason = _decline_reason(request, settings)
    return Authorization(
        provider=PROVIDER,
        outcome=AuthorizationOutcome.DECLINED if reason else AuthorizationOutcome.APPROVED,
        amount=request.amount,
        reference=request.reference,
        provider_reference=_reference("auth", request.reference),
        message=reason or "Approved by the test gateway",
    )


@hookimpl
def omnicart_payment_capture(
    authorization: Authorization, amount: Money, settings: GatewaySettings
) -> PaymentTransaction:
    return _transaction(TransactionKind.CAPTURE, settings.capture_mode, authorization, amount)


@hookimpl
def omnicart_payment_void(
    authorization: Authorization, settings: GatewaySettings
) -> PaymentTransaction:
    return _transaction(TransactionKind.VOID, settings.void_mode, authorization, None)


@hookimpl
def omnicart_payment_refund(
    authorization: Authorization, amount: Money, settings: GatewaySettings
) -> PaymentTransaction:
    return _transaction(TransactionKind.REFUND, settings.refund_mode, authorization, amount)


def _decline_reason(request: PaymentRequest, settings: GatewaySettings) -> str | None:
    if settings.mode == Mode.DECLINE:
        return "Declined: the test gateway declines every payment"
    limit = settings.decline_above_minor_units
    if limit is not None and request.amount.minor_units > limit:
        return "Declined: the amount is above the test gateway's limit"
    if _asks_for_decline(request.data):
        return "Declined: test card"
    return None


def _asks_for_decline(data: Mapping[str, Any]) -> bool:
    card_number = data.get("card_number")
    return data.get("token") == DECLINE_TOKEN or (
        isinstance(card_number, str) and card_number.replace(" ", "") == DECLINED_CARD_NUMBER
    )


def _transaction(
    kind: TransactionKind, mode: str, authorization: Authorization, amount: Money | None
) -> PaymentTransaction:
    if mode == Mode.FAIL:
        raise GatewayFailure(f"test gateway set to fail {kind.lower()}s")
    amount = authorization.amount if amount is None else amount
    declined = mode == Mode.DECLINE
    return PaymentTransaction(
        kind=kind,
        provider=PROVIDER,
        outcome=TransactionOutcome.DECLINED if declined else TransactionOutcome.SUCCEEDED,
        amount=amount,
        provider_reference=_reference(
            kind.lower(), f"{authorization.reference}:{amount.minor_units}"
        ),
        message=f"Declined: the test gateway refuses every {kind.lower()}" if declined else "",
    )


def _reference(kind: str, key: str) -> str:
    # Derived, not counted: the same request gives the same id in any process.
    return f"tg_{kind}_{hashlib.sha256(key.encode()).hexdigest()[:24]}"
