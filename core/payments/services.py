"""Payment use cases: authorise, capture, void and refund through the provider's plugin.

Each service checks everything the caller could get wrong first (the provider is one
the channel accepts, the amount is positive, in the right currency and within what
was authorised or captured), then asks the provider's plugin through the plugin host,
and turns the provider's refusal into ``PAYMENT_DECLINED``. They write nothing: the
caller (checkout, cancellation, staff actions) stores the answers with the order in
its own unit of work, so a refusal or a plugin failure leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.channels.model import Channel
from core.errors import DomainError, ErrorCode, Problem
from core.money import Money
from core.payments.model import (
    DECLINE_CODES,
    Authorization,
    AuthorizationOutcome,
    PaymentContext,
    PaymentRequest,
    PaymentTransaction,
    TransactionKind,
    TransactionOutcome,
)
from core.plugin_host import PluginHost

PROVIDER_FIELD = "payment.provider"
DATA_FIELD = "payment.data"
PAYMENT_FIELD = "payment"
AMOUNT_FIELD = "amount"


async def authorize(
    plugins: PluginHost, channel: Channel, request: PaymentRequest
) -> Authorization:
    """Authorise ``request.amount`` with the provider: APPROVED, or PENDING when the
    provider is paid at collection.

    Raises ``DomainError``: ``PAYMENT_PROVIDER_NOT_ACCEPTED``, ``PAYMENT_REQUIRES_PICKUP``,
    ``INVALID`` (data not an object), ``CURRENCY_MISMATCH``, ``INVALID_AMOUNT``,
    ``PAYMENT_DECLINED``; ``PluginError`` (``PLUGIN_FAILED``) when the plugin fails.
    """
    if not request.reference:
        raise ValueError("a payment request needs the caller's reference (the order number)")
    problems = provider_problems(
        plugins, channel, request.provider, pickup_only=request.pickup_only
    )
    if not isinstance(request.data, Mapping):
        problems.append(
            Problem(ErrorCode.INVALID, "Payment data must be a JSON object", DATA_FIELD)
        )
    problems += _amount_problems(request.amount, channel.currency, PAYMENT_FIELD)
    if problems:
        raise DomainError(problems)
    authorization = await plugins.authorize_payment(PaymentContext(channel), request)
    if authorization.outcome is AuthorizationOutcome.DECLINED:
        declined = _declined("The payment was declined", authorization.message)
        if authorization.decline_code in DECLINE_CODES:
            problem = declined.problems[0]
            code = ErrorCode(authorization.decline_code)
            raise DomainError.single(code, problem.message, problem.field)
        raise declined
    return authorization


def provider_problems(
    plugins: PluginHost, channel: Channel, provider: str, *, pickup_only: bool
) -> list[Problem]:
    """Whether the channel accepts ``provider`` for an order that is (or is not) picked
    up in full: ``PAYMENT_PROVIDER_NOT_ACCEPTED``, ``PAYMENT_REQUIRES_PICKUP``. ``authorize``
    checks it; checkout asks it early, to report it with its other problems."""
    found = plugins.payment_providers(channel).get(provider)
    if found is None:
        return [_not_accepted(provider)]
    if found.requires_pickup and not pickup_only:
        return [
            Problem(
                ErrorCode.PAYMENT_REQUIRES_PICKUP,
                f"{provider!r} is paid at collection: every line must be picked up",
                PROVIDER_FIELD,
            )
        ]
    return []


async def capture(
    plugins: PluginHost,
    channel: Channel,
    authorization: Authorization,
    amount: Money,
    *,
    already_captured: Money | None = None,
) -> PaymentTransaction:
    """Capture ``amount`` of an APPROVED or PENDING authorisation.

    ``already_captured`` is the sum of earlier captures of it (none by default); with
    ``amount`` it may not exceed the authorised amount.
    Raises ``DomainError``: ``PAYMENT_PROVIDER_NOT_ACCEPTED``, ``PAYMENT_NOT_AUTHORIZED``,
    ``CURRENCY_MISMATCH``, ``INVALID_AMOUNT``, ``CAPTURE_EXCEEDS_AUTHORIZED``,
    ``PAYMENT_DECLINED``; ``PluginError`` (``PLUGIN_FAILED``).
    """
    problems = _usable_problems(plugins, channel, authorization)
    problems += _amount_problems(amount, authorization.amount.currency, AMOUNT_FIELD)
    before = already_captured or Money.zero(authorization.amount.currency)
    if not problems and before + amount > authorization.amount:
        problems.append(
            Problem(
                ErrorCode.CAPTURE_EXCEEDS_AUTHORIZED,
                f"Only {authorization.amount - before} of {authorization.amount} "
                "authorised is left to capture",
                AMOUNT_FIELD,
            )
        )
    if problems:
        raise DomainError(problems)
    transaction = await plugins.capture_payment(PaymentContext(channel), authorization, amount)
    return _succeeded(transaction)


async def void(
    plugins: PluginHost, channel: Channel, authorization: Authorization
) -> PaymentTransaction:
    """Release an APPROVED or PENDING authorisation without charging it.

    Raises ``DomainError``: ``PAYMENT_PROVIDER_NOT_ACCEPTED``, ``PAYMENT_NOT_AUTHORIZED``,
    ``PAYMENT_DECLINED``; ``PluginError`` (``PLUGIN_FAILED``).
    """
    problems = _usable_problems(plugins, channel, authorization)
    if problems:
        raise DomainError(problems)
    transaction = await plugins.void_payment(PaymentContext(channel), authorization)
    return _succeeded(transaction)


async def refund(
    plugins: PluginHost,
    channel: Channel,
    authorization: Authorization,
    amount: Money,
    *,
    captured: Money,
    already_refunded: Money | None = None,
) -> PaymentTransaction:
    """Refund ``amount`` of what was captured of an authorisation.

    ``captured`` is the sum of its captures and ``already_refunded`` the sum of earlier
    refunds (none by default); with ``amount`` they may not exceed ``captured``.
    Raises ``DomainError``: ``PAYMENT_PROVIDER_NOT_ACCEPTED``, ``PAYMENT_NOT_AUTHORIZED``,
    ``CURRENCY_MISMATCH``, ``INVALID_AMOUNT``, ``REFUND_EXCEEDS_CAPTURED``,
    ``PAYMENT_DECLINED``; ``PluginError`` (``PLUGIN_FAILED``).
    """
    currency = authorization.amount.currency
    problems = _usable_problems(plugins, channel, authorization)
    problems += _amount_problems(amount, currency, AMOUNT_FIELD)
    if captured.currency != currency:
        raise ValueError("captured must be in the authorisation's currency")
    before = already_refunded or Money.zero(currency)
    if not problems and before + amount > captured:
        problems.append(
            Problem(
                ErrorCode.REFUND_EXCEEDS_CAPTURED,
                f"Only {captured - before} of {captured} captured is left to refund",
                AMOUNT_FIELD,
            )
        )
    if problems:
        raise DomainError(problems)
    transaction = await plugins.refund_payment(PaymentContext(channel), authorization, amount)
    return _succeeded(transaction)


def _usable_problems(
    plugins: PluginHost, channel: Channel, authorization: Authorization
) -> list[Problem]:
    # The provider's plugin (with its settings: keys, accounts) is reached through the
    # channel, so a channel that stopped enabling it can no longer capture or refund.
    problems: list[Problem] = []
    if authorization.provider not in plugins.payment_providers(channel):
        problems.append(_not_accepted(authorization.provider))
    if authorization.outcome is AuthorizationOutcome.DECLINED:
        problems.append(
            Problem(
                ErrorCode.PAYMENT_NOT_AUTHORIZED,
                "The payment was declined; there is nothing to capture, void or refund",
                PAYMENT_FIELD,
            )
        )
    return problems


def _amount_problems(amount: Money, currency: str, field: str) -> list[Problem]:
    if amount.currency != currency:
        return [
            Problem(
                ErrorCode.CURRENCY_MISMATCH,
                f"The amount is in {amount.currency}; the payment is in {currency}",
                field,
            )
        ]
    if amount.minor_units <= 0:
        return [Problem(ErrorCode.INVALID_AMOUNT, "The amount must be above zero", field)]
    return []


def _not_accepted(provider: str) -> Problem:
    return Problem(
        ErrorCode.PAYMENT_PROVIDER_NOT_ACCEPTED,
        f"The channel does not accept the payment provider {provider!r}",
        PROVIDER_FIELD,
    )


def _succeeded(transaction: PaymentTransaction) -> PaymentTransaction:
    if transaction.outcome is TransactionOutcome.DECLINED:
        action = {
            TransactionKind.CAPTURE: "capture",
            TransactionKind.VOID: "void",
            TransactionKind.REFUND: "refund",
        }[transaction.kind]
        raise _declined(f"The provider refused the {action}", transaction.message)
    return transaction


def _declined(summary: str, message: str) -> DomainError:
    text = f"{summary}: {message}" if message else summary
    return DomainError.single(ErrorCode.PAYMENT_DECLINED, text, PAYMENT_FIELD)
