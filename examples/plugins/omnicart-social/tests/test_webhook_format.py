"""The webhook format on its own: what the platform signs is read back exactly, and
nothing but the exact signed body passes the signature check."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from omnicart_social import SIGNATURE_HEADER, signature_of
from omnicart_social.orders import read_order
from omnicart_social.signature import verify
from test_social_shop import meta_order

from omnicart import MarketplaceSignatureInvalid, Money

SECRET = "7f3c1e9a0b5d4c2e8f6a1b3c5d7e9f01"

items = st.lists(
    st.tuples(
        st.text(alphabet="ABCDEFGHIJ-0123456789", min_size=1, max_size=16),
        st.integers(min_value=1, max_value=10_000),
        st.decimals(min_value=0, max_value=10**7, places=2).map(str),
    ),
    min_size=1,
    max_size=5,
)


@given(
    order_id=st.text(min_size=1, max_size=40), sold=items, shipping=st.decimals(0, 10**4, places=2)
)
def test_a_signed_order_is_read_back_exactly(
    order_id: str, sold: list[tuple[str, int, str]], shipping: Decimal
) -> None:
    body = orjson.dumps(meta_order(sold, order_id=order_id, shipping=str(shipping)))

    verify(body, {SIGNATURE_HEADER: signature_of(body, SECRET)}, SECRET)
    order = read_order(body)

    assert order.external_id == order_id
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        (sku, quantity, Money.parse(price, "PLN")) for sku, quantity, price in sold
    ]
    assert order.delivery_amount == Money.parse(str(shipping), "PLN")
    assert (order.shipping_address.first_name, order.shipping_address.last_name) == ("Ola", "Nowak")


@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_a_body_changed_after_signing_is_refused(position: int, flip: int) -> None:
    body = orjson.dumps(meta_order([("DMO-0001-BLK-34", 1, "10.00")]))
    signed = {SIGNATURE_HEADER: signature_of(body, SECRET)}
    index = position % len(body)
    changed = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]

    with pytest.raises(MarketplaceSignatureInvalid):
        verify(changed, signed, SECRET)


def test_another_secret_or_no_header_is_refused() -> None:
    body = orjson.dumps(meta_order([("DMO-0001-BLK-34", 1, "10.00")]))

    for headers in ({SIGNATURE_HEADER: signature_of(body, "another-app-secret")}, {}):
        with pytest.raises(MarketplaceSignatureInvalid):
            verify(body, headers, SECRET)
