"""A Meta shop's order webhook read into Omnicart's ``MarketplaceOrder``.

The payload (README.md, "The order webhook") is a commerce order as the platform
describes it: ``id``, ``created``, ``buyer_details.email``, ``shipping_address``,
``items`` (``retailer_id`` is our SKU, ``quantity``, ``price_per_unit``) and
``selected_shipping_option.price``. Amounts are ``{"amount": "<decimal string>",
"currency": "<ISO code>"}`` (decimal strings, never JSON numbers). Anything else in the
body is ignored; ``omnicart.webhook_json`` reads each value with its type checked.
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
    webhook_json,
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
        external_id=webhook_json.text(data["id"]),
        email=webhook_json.text(data["buyer_details"]["email"]),
        shipping_address=_address(data["shipping_address"]),
        lines=tuple(_line(item) for item in data["items"]),
        delivery_amount=webhook_json.money(data["selected_shipping_option"]["price"]),
        placed_at=datetime.fromisoformat(webhook_json.text(data["created"])),
    )


def _line(item: Any) -> MarketplaceOrderLine:
    # retailer_id is the SKU the catalog feed gave the platform: ours.
    return MarketplaceOrderLine(
        sku=webhook_json.text(item["retailer_id"]),
        quantity=webhook_json.integer(item["quantity"]),
        unit_price=webhook_json.money(item["price_per_unit"]),
    )


def _address(data: Any) -> MailingAddressInput:
    # The platform gives one name; the family name is its last word.
    first, _, last = webhook_json.text(data["name"]).strip().rpartition(" ")
    return MailingAddressInput(
        first_name=first or None,
        last_name=last,
        line1=webhook_json.optional_text(data.get("street1")),
        line2=webhook_json.optional_text(data.get("street2")),
        postal_code=webhook_json.optional_text(data.get("postal_code")),
        city=webhook_json.optional_text(data.get("city")),
        country_code=webhook_json.optional_text(data.get("country")),
        phone=webhook_json.optional_text(data.get("phone")),
    )
