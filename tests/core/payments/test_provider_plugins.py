"""Third-party payment plugins: found by their ``provider``, awaited when async, and
named in a ``PluginError`` when they raise or answer something that does not fit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import pytest

from core.channels.model import Channel, ChannelKind, EnabledPlugin
from core.errors import PluginError
from core.hooks import hookimpl
from core.ids import ChannelId
from core.money import Money
from core.payments import services as payments
from core.payments.model import (
    Authorization,
    AuthorizationOutcome,
    PaymentRequest,
    PaymentTransaction,
    TransactionKind,
    TransactionOutcome,
)
from core.plugin_host import PluginHost

AMOUNT = Money(4_200, "EUR")
REQUEST = PaymentRequest(provider="acme-pay", amount=AMOUNT, reference="ORD-7")
APPROVED = Authorization("acme-pay", AuthorizationOutcome.APPROVED, AMOUNT, "ORD-7", "acme_1")


@dataclass(frozen=True, slots=True)
class AcmeSettings:
    merchant: str = "demo"


class AcmePay:
    """A third-party provider, async like one that calls a PSP over HTTP."""

    provider = "acme-pay"
    settings_class = AcmeSettings

    @hookimpl
    async def omnicart_payment_authorize(
        self, request: PaymentRequest, settings: AcmeSettings
    ) -> Authorization:
        return replace(APPROVED, provider_reference=f"{settings.merchant}_{request.reference}")

    @hookimpl
    async def omnicart_payment_capture(self, amount: Money) -> PaymentTransaction:
        return PaymentTransaction(
            TransactionKind.CAPTURE, "acme-pay", TransactionOutcome.SUCCEEDED, amount
        )

    @hookimpl
    async def omnicart_payment_void(self, authorization: Authorization) -> PaymentTransaction:
        return PaymentTransaction(
            TransactionKind.VOID, "acme-pay", TransactionOutcome.SUCCEEDED, authorization.amount
        )

    @hookimpl
    async def omnicart_payment_refund(self, amount: Money) -> PaymentTransaction:
        return PaymentTransaction(
            TransactionKind.REFUND, "acme-pay", TransactionOutcome.SUCCEEDED, amount
        )


class BrokenPay:
    """Raises in every hook, as a provider that is down."""

    provider = "broken-pay"

    @hookimpl
    def omnicart_payment_authorize(self) -> Authorization:
        raise ConnectionError("psp unreachable")

    @hookimpl
    def omnicart_payment_capture(self) -> PaymentTransaction:
        raise ConnectionError("psp unreachable")

    @hookimpl
    def omnicart_payment_void(self) -> PaymentTransaction:
        raise ConnectionError("psp unreachable")

    @hookimpl
    def omnicart_payment_refund(self) -> PaymentTransaction:
        raise ConnectionError("psp unreachable")


class ConfusedPay:
    """Answers, but not what was asked: another amount, None, the wrong kind."""

    provider = "confused-pay"

    @hookimpl
    def omnicart_payment_authorize(self, request: PaymentRequest) -> Authorization:
        return Authorization(
            "confused-pay", AuthorizationOutcome.APPROVED, Money(1, "EUR"), request.reference
        )

    @hookimpl
    def omnicart_payment_capture(self) -> None:
        return None

    @hookimpl
    def omnicart_payment_void(self, authorization: Authorization) -> PaymentTransaction:
        return PaymentTransaction(
            TransactionKind.REFUND,
            "confused-pay",
            TransactionOutcome.SUCCEEDED,
            authorization.amount,
        )


@pytest.fixture(scope="module")
def plugins() -> PluginHost:
    return PluginHost.load(
        extra={"acme": AcmePay(), "broken": BrokenPay(), "confused": ConfusedPay()}
    )


def channel_with(*names: str) -> Channel:
    enabled = tuple(EnabledPlugin(name, {}) for name in names)
    return Channel(ChannelId(1), "eu", "EU", ChannelKind.WEB, "EUR", plugins=enabled)


def as_provider(authorization: Authorization, provider: str) -> Authorization:
    return replace(authorization, provider=provider)


Operation = Callable[[PluginHost, Channel, Authorization], Awaitable[object]]

OPERATIONS: dict[str, Operation] = {
    "omnicart_payment_authorize": lambda plugins, channel, authorization: payments.authorize(
        plugins, channel, replace(REQUEST, provider=authorization.provider)
    ),
    "omnicart_payment_capture": lambda plugins, channel, authorization: payments.capture(
        plugins, channel, authorization, AMOUNT
    ),
    "omnicart_payment_void": lambda plugins, channel, authorization: payments.void(
        plugins, channel, authorization
    ),
    "omnicart_payment_refund": lambda plugins, channel, authorization: payments.refund(
        plugins, channel, authorization, AMOUNT, captured=AMOUNT
    ),
}


async def test_an_async_provider_is_awaited_with_its_channel_settings() -> None:
    plugins = PluginHost.load(extra={"acme": AcmePay()})
    channel = Channel(
        ChannelId(1),
        "eu",
        "EU",
        ChannelKind.WEB,
        "EUR",
        plugins=(EnabledPlugin("acme", {"merchant": "shop42"}),),
    )

    authorization = await payments.authorize(plugins, channel, REQUEST)
    captured = await payments.capture(plugins, channel, authorization, AMOUNT)

    assert authorization.provider_reference == "shop42_ORD-7"
    assert captured.outcome is TransactionOutcome.SUCCEEDED


@pytest.mark.parametrize("hook", list(OPERATIONS))
async def test_a_provider_raising_in_any_hook_is_named_in_a_plugin_error(
    plugins: PluginHost, hook: str
) -> None:
    channel = channel_with("acme", "broken")

    with pytest.raises(PluginError) as raised:
        await OPERATIONS[hook](plugins, channel, as_provider(APPROVED, "broken-pay"))

    assert (raised.value.plugin, raised.value.hook) == ("broken", hook)
    assert "psp unreachable" not in str(raised.value)


@pytest.mark.parametrize(
    "hook", ["omnicart_payment_authorize", "omnicart_payment_capture", "omnicart_payment_void"]
)
async def test_an_answer_that_does_not_fit_the_question_is_a_plugin_failure(
    plugins: PluginHost, hook: str
) -> None:
    channel = channel_with("confused")

    with pytest.raises(PluginError) as raised:
        await OPERATIONS[hook](plugins, channel, as_provider(APPROVED, "confused-pay"))

    assert (raised.value.plugin, raised.value.hook) == ("confused", hook)


async def test_a_provider_without_the_hook_fails_naming_itself(plugins: PluginHost) -> None:
    channel = channel_with("confused")

    with pytest.raises(PluginError) as raised:
        await payments.refund(
            plugins, channel, as_provider(APPROVED, "confused-pay"), AMOUNT, captured=AMOUNT
        )

    assert (raised.value.plugin, raised.value.hook) == ("confused", "omnicart_payment_refund")


async def test_only_the_plugin_of_the_payments_provider_is_asked(plugins: PluginHost) -> None:
    channel = channel_with("broken", "acme")

    voided = await payments.void(plugins, channel, APPROVED)

    assert voided.provider == "acme-pay"


def test_two_plugins_claiming_one_provider_fail_at_start_up() -> None:
    class Impostor:
        provider = "test-gateway"

    with pytest.raises(ValueError, match="test-gateway"):
        PluginHost.load(extra={"impostor": Impostor()})


def test_a_provider_name_that_is_not_text_fails_at_start_up() -> None:
    class Nameless:
        provider = 42

    with pytest.raises(TypeError, match="nameless"):
        PluginHost.load(extra={"nameless": Nameless()})
