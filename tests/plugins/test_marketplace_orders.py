"""The marketplace adapter's webhook format (issue 15): what a marketplace signs and
sends is read back exactly, and nothing but the exact signed body is accepted."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.channels.model import Channel, ChannelKind, EnabledPlugin
from core.ids import ChannelId
from core.money import Money
from core.orders.import_model import MarketplaceOrderRejected, MarketplaceSignatureInvalid
from plugins.marketplace.orders import omnicart_marketplace_order, signature_of
from plugins.marketplace.settings import MarketplaceSettings
from tests.factories.marketplace import SECRET, order_input

CHANNEL = Channel(
    ChannelId(1),
    "shop",
    "Shop",
    ChannelKind.MARKETPLACE,
    "PLN",
    (EnabledPlugin("marketplace", {}),),
)
SETTINGS = MarketplaceSettings(webhook_secret=SECRET)

lines = st.lists(
    st.tuples(
        st.text(alphabet="ABCDEFGHIJ-0123456789", min_size=1, max_size=12),
        st.integers(min_value=-3, max_value=10_000),
        st.decimals(min_value=0, max_value=10**7, places=2).map(str),
    ),
    max_size=5,
)


@given(
    external_id=st.text(min_size=1, max_size=40),
    given_lines=lines,
    delivery=st.decimals(min_value=0, max_value=10**4, places=2),
)
def test_a_signed_order_is_read_back_exactly(
    external_id: str, given_lines: list[tuple[str, int, str]], delivery: Decimal
) -> None:
    sent = order_input(external_id, tuple(given_lines), delivery=str(delivery))
    body = orjson.dumps(sent)

    order = omnicart_marketplace_order(
        CHANNEL, body, {"x-marketplace-signature": signature_of(body, SECRET)}, SETTINGS
    )

    assert order is not None
    assert order.external_id == external_id
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        (sku, quantity, Money.parse(price, "PLN")) for sku, quantity, price in given_lines
    ]
    assert order.delivery_amount == Money.parse(str(delivery), "PLN")
    assert order.shipping_address.city == "Warszawa"


@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_a_body_changed_after_signing_is_refused(position: int, flip: int) -> None:
    body = orjson.dumps(order_input())
    signature = signature_of(body, SECRET)
    index = position % len(body)
    changed = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]

    with pytest.raises(MarketplaceSignatureInvalid):
        omnicart_marketplace_order(
            CHANNEL, changed, {"x-marketplace-signature": signature}, SETTINGS
        )


def test_no_secret_refuses_everything_and_a_malformed_body_is_rejected() -> None:
    body = b'{"externalId": "x"}'
    signed = {"x-marketplace-signature": signature_of(body, SECRET)}

    with pytest.raises(MarketplaceSignatureInvalid):
        omnicart_marketplace_order(CHANNEL, body, signed, MarketplaceSettings())
    with pytest.raises(MarketplaceOrderRejected):
        omnicart_marketplace_order(CHANNEL, body, signed, SETTINGS)


def test_no_secret_and_no_signature_leaves_the_body_to_the_channels_other_adapters() -> None:
    body = orjson.dumps(order_input())

    assert omnicart_marketplace_order(CHANNEL, body, {}, MarketplaceSettings()) is None
