"""The built-in payment providers, test-gateway and pay-at-pickup, through the payment
services as checkout and staff call them."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from core.channels.model import Channel, ChannelKind, EnabledPlugin
from core.errors import DomainError, ErrorCode, PluginError
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
from core.runtime import Runtime
from schema.cli import main
from tests.factories import make_channel

AMOUNT = Money(25_000, "PLN")


def channel_with(name: str, settings: dict[str, Any] | None = None) -> Channel:
    enabled = (EnabledPlugin(name, settings or {}),)
    return Channel(ChannelId(1), "web", "Web", ChannelKind.WEB, "PLN", plugins=enabled)


def gateway(**settings: Any) -> Channel:
    return channel_with("test-gateway", settings)


def request_for(
    provider: str = "test-gateway",
    *,
    amount: Money = AMOUNT,
    reference: str = "ORD-1001",
    data: dict[str, Any] | None = None,
) -> PaymentRequest:
    return PaymentRequest(
        provider, amount, reference, data or {}, pickup_only=provider == "pay-at-pickup"
    )


async def transact(
    plugins: PluginHost, channel: Channel, kind: TransactionKind, authorization: Authorization
) -> PaymentTransaction:
    amount = Money(10_000, "PLN")
    if kind is TransactionKind.CAPTURE:
        return await payments.capture(plugins, channel, authorization, amount)
    if kind is TransactionKind.VOID:
        return await payments.void(plugins, channel, authorization)
    return await payments.refund(plugins, channel, authorization, amount, captured=AMOUNT)


# ---------------------------------------------------------------- test-gateway


async def test_the_test_gateway_approves_by_default(plugins: PluginHost) -> None:
    authorization = await payments.authorize(plugins, gateway(), request_for())

    assert authorization.outcome is AuthorizationOutcome.APPROVED
    assert (authorization.provider, authorization.amount) == ("test-gateway", AMOUNT)
    assert authorization.provider_reference is not None
    assert re.fullmatch(r"tg_auth_[0-9a-f]{24}", authorization.provider_reference)


@pytest.mark.parametrize(
    ("settings", "data", "amount"),
    [
        ({"mode": "decline"}, {}, 100),
        ({"decline_above_minor_units": 24_999}, {}, 25_000),
        ({}, {"token": "decline"}, 100),
        ({}, {"card_number": "4000 0000 0000 0002"}, 100),
    ],
    ids=["mode", "amount-above-limit", "decline-token", "declining-card-number"],
)
async def test_the_test_gateway_declines_as_its_settings_and_the_payment_data_say(
    plugins: PluginHost, settings: dict[str, Any], data: dict[str, Any], amount: int
) -> None:
    request = request_for(amount=Money(amount, "PLN"), data=data)

    with pytest.raises(DomainError) as raised:
        await payments.authorize(plugins, gateway(**settings), request)

    (problem,) = raised.value.problems
    assert (problem.code, problem.field) == (ErrorCode.PAYMENT_DECLINED, "payment")
    assert problem.message.startswith("The payment was declined: Declined")


@pytest.mark.parametrize(
    "data", [{"token": "tok_visa"}, {"card_number": "4242424242424242"}, {"token": 7}]
)
async def test_other_payment_data_is_approved(plugins: PluginHost, data: dict[str, Any]) -> None:
    authorization = await payments.authorize(
        plugins, gateway(decline_above_minor_units=25_000), request_for(data=data)
    )

    assert authorization.outcome is AuthorizationOutcome.APPROVED


async def test_the_test_gateway_set_to_fail_raises_a_plugin_error(plugins: PluginHost) -> None:
    with pytest.raises(PluginError) as raised:
        await payments.authorize(plugins, gateway(mode="fail"), request_for())

    assert (raised.value.plugin, raised.value.hook) == (
        "test-gateway",
        "omnicart_payment_authorize",
    )


async def test_authorising_one_reference_twice_gives_the_same_authorisation(
    plugins: PluginHost,
) -> None:
    channel = gateway()

    answers = await asyncio.gather(
        *(payments.authorize(plugins, channel, request_for()) for _ in range(20))
    )
    other = await payments.authorize(plugins, channel, request_for(reference="ORD-1002"))

    assert len(set(answers)) == 1
    assert other.provider_reference != answers[0].provider_reference


@pytest.mark.parametrize("kind", list(TransactionKind))
async def test_the_test_gateway_captures_voids_and_refunds_by_default(
    plugins: PluginHost, kind: TransactionKind
) -> None:
    channel = gateway()
    authorization = await payments.authorize(plugins, channel, request_for())

    transaction = await transact(plugins, channel, kind, authorization)

    assert (transaction.kind, transaction.outcome) == (kind, TransactionOutcome.SUCCEEDED)
    expected = AMOUNT if kind is TransactionKind.VOID else Money(10_000, "PLN")
    assert transaction.amount == expected
    assert transaction.provider_reference is not None
    assert transaction.provider_reference.startswith(f"tg_{kind.lower()}_")


@pytest.mark.parametrize("kind", list(TransactionKind))
async def test_the_test_gateway_set_to_decline_an_operation_refuses_it(
    plugins: PluginHost, kind: TransactionKind
) -> None:
    authorization = await payments.authorize(plugins, gateway(), request_for())
    channel = gateway(**{f"{kind.lower()}_mode": "decline"})

    with pytest.raises(DomainError) as raised:
        await transact(plugins, channel, kind, authorization)

    (problem,) = raised.value.problems
    assert (problem.code, problem.field) == (ErrorCode.PAYMENT_DECLINED, "payment")
    assert f"refused the {kind.lower()}" in problem.message


@pytest.mark.parametrize("kind", list(TransactionKind))
async def test_the_test_gateway_set_to_fail_an_operation_raises_a_plugin_error(
    plugins: PluginHost, kind: TransactionKind
) -> None:
    authorization = await payments.authorize(plugins, gateway(), request_for())
    channel = gateway(**{f"{kind.lower()}_mode": "fail"})

    with pytest.raises(PluginError) as raised:
        await transact(plugins, channel, kind, authorization)

    assert (raised.value.plugin, raised.value.hook) == (
        "test-gateway",
        f"omnicart_payment_{kind.lower()}",
    )


# ---------------------------------------------------------------- pay-at-pickup


async def test_pay_at_pickup_authorises_nothing_until_collection(plugins: PluginHost) -> None:
    channel = channel_with("pay-at-pickup", {"instructions": "Pay at the desk."})

    authorization = await payments.authorize(plugins, channel, request_for("pay-at-pickup"))

    assert authorization.outcome is AuthorizationOutcome.PENDING
    assert authorization.amount == AMOUNT
    assert authorization.provider_reference is None
    assert authorization.message == "Pay at the desk."


@pytest.mark.parametrize("kind", list(TransactionKind))
async def test_pay_at_pickup_captures_at_collection_and_voids_or_refunds_at_the_desk(
    plugins: PluginHost, kind: TransactionKind
) -> None:
    channel = channel_with("pay-at-pickup")
    authorization = await payments.authorize(plugins, channel, request_for("pay-at-pickup"))

    transaction = await transact(plugins, channel, kind, authorization)

    assert (transaction.provider, transaction.kind) == ("pay-at-pickup", kind)
    assert transaction.outcome is TransactionOutcome.SUCCEEDED


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("plugin", "plugin_settings"),
    [
        ("test-gateway", {"mode": "maybe"}),
        ("test-gateway", {"mode": 1}),
        ("test-gateway", {"capture_mode": "sometimes"}),
        ("test-gateway", {"refund_mode": None}),
        ("test-gateway", {"decline_above_minor_units": -1}),
        ("test-gateway", {"decline_above_minor_units": "100.00"}),
        ("test-gateway", {"decline": True}),
        ("pay-at-pickup", {"instructions": "  "}),
        ("pay-at-pickup", {"instructions": "x" * 501}),
        ("pay-at-pickup", {"instructions": ["Pay"]}),
    ],
)
def test_bad_provider_settings_are_refused_with_a_clear_code(
    plugins: PluginHost, plugin: str, plugin_settings: dict[str, Any]
) -> None:
    with pytest.raises(DomainError) as raised:
        plugins.validate(plugin, plugin_settings)

    assert {p.code for p in raised.value.problems} == {ErrorCode.INVALID_PLUGIN_SETTINGS}


async def test_a_channel_with_bad_gateway_settings_is_not_created(runtime: Runtime) -> None:
    bad = EnabledPlugin("test-gateway", {"mode": "maybe"})

    with pytest.raises(DomainError) as raised:
        await make_channel(runtime, slug="web", currency="PLN", plugins=[bad])

    assert [(p.code, p.field) for p in raised.value.problems] == [
        (ErrorCode.INVALID_PLUGIN_SETTINGS, "plugins.0.settings")
    ]
    assert await runtime.channels.by_slug("web") is None


# ---------------------------------------------------------------- listing


async def test_the_plugins_command_lists_the_providers_and_the_channels_accepting_them(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_channel(runtime, slug="shop", plugins=[EnabledPlugin("pay-at-pickup", {})])
    monkeypatch.setenv("OMNICART_DATABASE_URL", runtime.settings.database_url)

    # The command runs its own event loop, so it runs in a thread here.
    exit_code = await asyncio.to_thread(main, ["plugins"])

    output = capsys.readouterr().out
    assert exit_code == 0
    pickup = output[output.index("pay-at-pickup\n") :]
    assert "module:   plugins.pay_at_pickup" in pickup
    assert "omnicart_payment_authorize, omnicart_payment_capture" in pickup
    assert "channels: shop" in pickup
    gateway = output[output.index("test-gateway\n") :]
    assert "channels: (not enabled in any channel)" in gateway
