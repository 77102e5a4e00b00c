"""The payment provider printed in docs/plugins.md works as the guide says: the test
runs the guide's own code, so a copy of it starts from something true."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.channels.model import Channel, ChannelKind, EnabledPlugin
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId
from core.money import Money
from core.payments import services as payments
from core.payments.model import AuthorizationOutcome, PaymentRequest, TransactionOutcome
from core.plugin_host import PluginHost

GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"
AMOUNT = Money(99_900, "EUR")


@pytest.fixture(scope="module")
def plugins() -> Iterator[PluginHost]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### A complete payment provider") :]
    match = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert match is not None, "the guide lost its payment provider example"
    # Imported as a package's module would be: dataclasses look their module up by name.
    module = types.ModuleType("omnicart_invoice")
    sys.modules[module.__name__] = module
    try:
        exec(compile(match.group(1), str(GUIDE), "exec"), module.__dict__)
        yield PluginHost.load(extra={"invoice": module})
    finally:
        del sys.modules[module.__name__]


def channel(plugins: PluginHost) -> Channel:
    settings = {"trusted_domains": ["acme.example"]}
    plugins.validate("invoice", settings)
    enabled = (EnabledPlugin("invoice", settings),)
    return Channel(ChannelId(1), "b2b", "B2B", ChannelKind.WEB, "EUR", plugins=enabled)


def request_from(email: str) -> PaymentRequest:
    return PaymentRequest("invoice", AMOUNT, "ORD-9", {}, email=email)


async def test_a_trusted_business_is_invoiced_at_capture(plugins: PluginHost) -> None:
    b2b = channel(plugins)

    authorization = await payments.authorize(plugins, b2b, request_from("buyer@acme.example"))
    invoice = await payments.capture(plugins, b2b, authorization, AMOUNT)
    credit = await payments.refund(plugins, b2b, authorization, Money(100, "EUR"), captured=AMOUNT)

    assert authorization.outcome is AuthorizationOutcome.APPROVED
    assert authorization.provider_reference == "INV-ORD-9"
    assert (invoice.outcome, invoice.provider_reference) == (
        TransactionOutcome.SUCCEEDED,
        "INV-ORD-9-capture",
    )
    assert credit.message == "Credit note sent"


async def test_anyone_else_is_declined(plugins: PluginHost) -> None:
    with pytest.raises(DomainError) as raised:
        await payments.authorize(plugins, channel(plugins), request_from("me@mail.example"))

    assert raised.value.problems[0].code is ErrorCode.PAYMENT_DECLINED
    assert "business customers only" in raised.value.problems[0].message


def test_its_settings_are_validated(plugins: PluginHost) -> None:
    with pytest.raises(DomainError) as raised:
        plugins.validate("invoice", {"payment_terms_days": 365})

    assert raised.value.problems[0].code is ErrorCode.INVALID_PLUGIN_SETTINGS
