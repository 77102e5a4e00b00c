"""The payment services: which provider answers, what is refused before any plugin is
asked, and how a provider's refusal or failure reaches the caller."""

from __future__ import annotations

from typing import Any

import pytest

from core.channels.model import Channel, ChannelKind, EnabledPlugin
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId
from core.money import Money
from core.payments import services as payments
from core.payments.model import (
    Authorization,
    AuthorizationOutcome,
    PaymentRequest,
    PaymentStatus,
    payment_status,
)
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories import make_channel

AMOUNT = Money(12_500, "PLN")
GATEWAY = EnabledPlugin("test-gateway", {})
PICKUP = EnabledPlugin("pay-at-pickup", {})


def channel_with(*plugins: EnabledPlugin, currency: str = "PLN") -> Channel:
    return Channel(ChannelId(1), "web", "Web", ChannelKind.WEB, currency, plugins=plugins)


def request_for(
    provider: str = "test-gateway",
    amount: Money = AMOUNT,
    *,
    data: Any = None,
    pickup_only: bool = False,
) -> PaymentRequest:
    return PaymentRequest(
        provider=provider,
        amount=amount,
        reference="ORD-1001",
        data={} if data is None else data,
        email="ada@example.com",
        pickup_only=pickup_only,
    )


def problems(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[ErrorCode, str | None]]:
    return [(problem.code, problem.field) for problem in error.value.problems]


async def authorized(plugins: PluginHost, channel: Channel, amount: int = 12_500) -> Authorization:
    return await payments.authorize(plugins, channel, request_for(amount=Money(amount, "PLN")))


# ---------------------------------------------------------------- which providers


@pytest.mark.parametrize("provider", ["pay-at-pickup", "stripe", "web"])
async def test_a_provider_the_channel_does_not_enable_is_not_accepted(
    plugins: PluginHost, provider: str
) -> None:
    channel = channel_with(GATEWAY, EnabledPlugin("web", {}))

    with pytest.raises(DomainError) as raised:
        await payments.authorize(plugins, channel, request_for(provider, pickup_only=True))

    assert problems(raised) == [(ErrorCode.PAYMENT_PROVIDER_NOT_ACCEPTED, "payment.provider")]


async def test_a_channel_accepts_the_providers_of_the_payment_plugins_it_enables(
    runtime: Runtime,
) -> None:
    await make_channel(runtime, slug="web", currency="PLN", plugins=[GATEWAY])
    await make_channel(runtime, slug="shop", currency="PLN", plugins=[PICKUP, GATEWAY])

    web = await runtime.channels.by_slug("web")
    shop = await runtime.channels.by_slug("shop")

    assert web is not None and shop is not None
    assert list(runtime.plugins.payment_providers(web)) == ["test-gateway"]
    assert list(runtime.plugins.payment_providers(shop)) == ["pay-at-pickup", "test-gateway"]
    authorization = await payments.authorize(runtime.plugins, shop, request_for())
    assert authorization.outcome is AuthorizationOutcome.APPROVED


async def test_a_provider_paid_at_collection_needs_a_pickup_only_order(
    plugins: PluginHost,
) -> None:
    channel = channel_with(PICKUP)

    with pytest.raises(DomainError) as raised:
        await payments.authorize(plugins, channel, request_for("pay-at-pickup"))

    assert problems(raised) == [(ErrorCode.PAYMENT_REQUIRES_PICKUP, "payment.provider")]


async def test_the_channels_settings_for_the_provider_reach_its_plugin(
    plugins: PluginHost,
) -> None:
    channel = channel_with(EnabledPlugin("test-gateway", {"decline_above_minor_units": 10_000}))

    with pytest.raises(DomainError) as raised:
        await authorized(plugins, channel, amount=10_001)

    assert problems(raised) == [(ErrorCode.PAYMENT_DECLINED, "payment")]
    assert (await authorized(plugins, channel, amount=10_000)).amount == Money(10_000, "PLN")


# ---------------------------------------------------------------- amounts and data


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Money(0, "PLN"), ErrorCode.INVALID_AMOUNT),
        (Money(-100, "PLN"), ErrorCode.INVALID_AMOUNT),
        (Money(12_500, "EUR"), ErrorCode.CURRENCY_MISMATCH),
    ],
)
async def test_an_amount_that_is_not_positive_in_the_channels_currency_is_refused(
    plugins: PluginHost, amount: Money, code: ErrorCode
) -> None:
    channel = channel_with(GATEWAY)

    with pytest.raises(DomainError) as raised:
        await payments.authorize(plugins, channel, request_for(amount=amount))

    assert problems(raised) == [(code, "payment")]


async def test_payment_data_that_is_not_an_object_is_refused_with_every_other_problem(
    plugins: PluginHost,
) -> None:
    channel = channel_with(GATEWAY)
    request = request_for("cash", Money(0, "PLN"), data=["4000000000000002"])

    with pytest.raises(DomainError) as raised:
        await payments.authorize(plugins, channel, request)

    assert problems(raised) == [
        (ErrorCode.PAYMENT_PROVIDER_NOT_ACCEPTED, "payment.provider"),
        (ErrorCode.INVALID, "payment.data"),
        (ErrorCode.INVALID_AMOUNT, "payment"),
    ]


async def test_partial_captures_add_up_to_at_most_the_authorised_amount(
    plugins: PluginHost,
) -> None:
    channel = channel_with(GATEWAY)
    authorization = await authorized(plugins, channel, amount=10_000)

    first = await payments.capture(plugins, channel, authorization, Money(6_000, "PLN"))
    rest = await payments.capture(
        plugins, channel, authorization, Money(4_000, "PLN"), already_captured=first.amount
    )
    with pytest.raises(DomainError) as raised:
        await payments.capture(
            plugins,
            channel,
            authorization,
            Money(1, "PLN"),
            already_captured=first.amount + rest.amount,
        )

    assert first.amount + rest.amount == authorization.amount
    assert problems(raised) == [(ErrorCode.CAPTURE_EXCEEDS_AUTHORIZED, "amount")]
    assert "0.00 PLN of 100.00 PLN" in raised.value.problems[0].message


async def test_refunds_add_up_to_at_most_what_was_captured(plugins: PluginHost) -> None:
    channel = channel_with(GATEWAY)
    authorization = await authorized(plugins, channel, amount=10_000)
    captured = Money(8_000, "PLN")

    partial = await payments.refund(
        plugins, channel, authorization, Money(5_000, "PLN"), captured=captured
    )
    with pytest.raises(DomainError) as raised:
        await payments.refund(
            plugins,
            channel,
            authorization,
            Money(3_001, "PLN"),
            captured=captured,
            already_refunded=partial.amount,
        )

    assert partial.amount == Money(5_000, "PLN")
    assert problems(raised) == [(ErrorCode.REFUND_EXCEEDS_CAPTURED, "amount")]


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Money(0, "PLN"), ErrorCode.INVALID_AMOUNT),
        (Money(-1, "PLN"), ErrorCode.INVALID_AMOUNT),
        (Money(100, "EUR"), ErrorCode.CURRENCY_MISMATCH),
    ],
)
@pytest.mark.parametrize("operation", ["capture", "refund"])
async def test_a_capture_or_refund_amount_must_be_positive_in_the_payments_currency(
    plugins: PluginHost, operation: str, amount: Money, code: ErrorCode
) -> None:
    channel = channel_with(GATEWAY)
    authorization = await authorized(plugins, channel)

    with pytest.raises(DomainError) as raised:
        if operation == "capture":
            await payments.capture(plugins, channel, authorization, amount)
        else:
            await payments.refund(
                plugins, channel, authorization, amount, captured=authorization.amount
            )

    assert problems(raised) == [(code, "amount")]


# ---------------------------------------------------------------- after authorisation


DECLINED = Authorization(
    provider="test-gateway",
    outcome=AuthorizationOutcome.DECLINED,
    amount=Money(12_500, "PLN"),
    reference="ORD-1001",
)


async def test_a_declined_authorisation_cannot_be_captured_voided_or_refunded(
    plugins: PluginHost,
) -> None:
    channel = channel_with(GATEWAY)
    amount = Money(100, "PLN")

    with pytest.raises(DomainError) as capture:
        await payments.capture(plugins, channel, DECLINED, amount)
    with pytest.raises(DomainError) as void:
        await payments.void(plugins, channel, DECLINED)
    with pytest.raises(DomainError) as refund:
        await payments.refund(plugins, channel, DECLINED, amount, captured=amount)

    for raised in (capture, void, refund):
        assert problems(raised) == [(ErrorCode.PAYMENT_NOT_AUTHORIZED, "payment")]


async def test_a_channel_that_stopped_enabling_the_provider_cannot_capture_its_payments(
    plugins: PluginHost,
) -> None:
    authorization = await authorized(plugins, channel_with(GATEWAY))
    without = channel_with(PICKUP)

    with pytest.raises(DomainError) as raised:
        await payments.capture(plugins, without, authorization, authorization.amount)

    assert problems(raised) == [(ErrorCode.PAYMENT_PROVIDER_NOT_ACCEPTED, "payment.provider")]


# ---------------------------------------------------------------- status


def status(outcome: AuthorizationOutcome, captured: int, refunded: int, voided: bool) -> str:
    authorization = Authorization("p", outcome, Money(1_000, "PLN"), "ORD-1")
    return payment_status(
        authorization,
        captured=Money(captured, "PLN"),
        refunded=Money(refunded, "PLN"),
        voided=voided,
    )


@pytest.mark.parametrize(
    ("outcome", "captured", "refunded", "voided", "expected"),
    [
        (AuthorizationOutcome.PENDING, 0, 0, False, PaymentStatus.PENDING),
        (AuthorizationOutcome.APPROVED, 0, 0, False, PaymentStatus.AUTHORIZED),
        (AuthorizationOutcome.APPROVED, 400, 0, False, PaymentStatus.CAPTURED),
        (AuthorizationOutcome.PENDING, 1_000, 0, False, PaymentStatus.CAPTURED),
        (AuthorizationOutcome.APPROVED, 1_000, 300, False, PaymentStatus.PARTIALLY_REFUNDED),
        (AuthorizationOutcome.APPROVED, 1_000, 1_000, False, PaymentStatus.REFUNDED),
        (AuthorizationOutcome.APPROVED, 0, 0, True, PaymentStatus.VOIDED),
        (AuthorizationOutcome.PENDING, 0, 0, True, PaymentStatus.VOIDED),
    ],
)
def test_the_payment_status_follows_the_transactions(
    outcome: AuthorizationOutcome, captured: int, refunded: int, voided: bool, expected: str
) -> None:
    assert status(outcome, captured, refunded, voided) == expected


def test_a_declined_authorisation_has_no_payment_status() -> None:
    with pytest.raises(ValueError):
        status(AuthorizationOutcome.DECLINED, 0, 0, False)
