"""A Meta shop's order webhook read into Omnicart's ``MarketplaceOrder``.

The payload (README.md, "The order webhook") is a commerce order as the platform
describes it: ``id``, ``created``, ``buyer_details.email``, ``shipping_address``,
``items`` (``retailer_id`` is our SKU, ``quantity``, ``price_per_unit``) and
``selected_shipping_option.price``. Amounts are ``{"amount": "<decimal string>",
"currency": "<ISO code>"}``. Anything else in the body is ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from omnicart import (
    MailingAddressInput,
    MarketplaceOrder,
    MarketplaceOrderLine,
    MarketplaceOrderRejected,
    Money,
)


def read_order(body: bytes) -> MarketplaceOrder:
    """The order in ``body`` (already verified); ``MarketplaceOrderRejected`` naming
    what is wrong when it is not a Meta shop order."""
    try:
        return _order(orjson.loads(body))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise MarketplaceOrderRejected(f"The body is not a Meta shop order: {error!r}") from None


def _order(data: Any) -> MarketplaceOrder:
    return MarketplaceOrder(
        external_id=_text(data["id"]),
        email=_text(data["buyer_details"]["email"]),
        shipping_address=_address(data["shipping_address"]),
        lines=tuple(
            MarketplaceOrderLine(
                sku=_text(item["retailer_id"]),
                quantity=_integer(item["quantity"]),
                unit_price=_money(item["price_per_unit"]),
            )
            for item in data["items"]
        ),
        delivery_amount=_money(data["selected_shipping_option"]["price"]),
        placed_at=datetime.fromisoformat(_text(data["created"])),
    )


def _address(data: Any) -> MailingAddressInput:
    # The platform gives one name; the family name is its last word.
    first, _, last = _text(data["name"]).strip().rpartition(" ")
    return MailingAddressInput(
        first_name=first or None,
        last_name=last,
        line1=_optional_text(data.get("street1")),
        line2=_optional_text(data.get("street2")),
        postal_code=_optional_text(data.get("postal_code")),
        city=_optional_text(data.get("city")),
        country_code=_optional_text(data.get("country")),
        phone=_optional_text(data.get("phone")),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _money(value: Any) -> Money:
    # Decimal strings only: a JSON number could be a float, and money is never a float.
    return Money.parse(_text(value["amount"]), _text(value["currency"]))
