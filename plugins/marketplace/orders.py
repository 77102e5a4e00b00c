"""Marketplace orders in: the generic JSON webhook (issue 15).

A marketplace (or a connector in front of one) posts an order to
``POST /channels/{channel}/marketplace-orders`` as our ``MarketplaceOrderInput`` in
JSON (docs/operations.md shows one), signed with HMAC-SHA256 of the exact body under
the channel's ``webhook_secret``, in the header
``X-Marketplace-Signature: sha256=<hex digest>``. A missing or wrong signature, or no
secret set, is refused before the body is read.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from core.carts.address_checks import MailingAddressInput
from core.channels.model import Channel
from core.hooks import hookimpl
from core.orders import webhook_json
from core.orders.import_model import (
    MarketplaceOrder,
    MarketplaceOrderLine,
    MarketplaceOrderRejected,
    MarketplaceSignatureInvalid,
)
from plugins.marketplace.settings import MarketplaceSettings

SIGNATURE_HEADER = "x-marketplace-signature"
_ADDRESS_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "company": "company",
    "line1": "line1",
    "line2": "line2",
    "postalCode": "postal_code",
    "city": "city",
    "countryCode": "country_code",
    "phone": "phone",
}


def signature_of(body: bytes, secret: str) -> str:
    """The header value a sender puts on ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@hookimpl
def omnicart_marketplace_order(
    channel: Channel, body: bytes, headers: Mapping[str, str], settings: MarketplaceSettings
) -> MarketplaceOrder | None:
    given = headers.get(SIGNATURE_HEADER)
    if not settings.webhook_secret and given is None:
        # Not set up to read orders here, and the body is not signed for us: another
        # of the channel's adapters (a social shop's, say) may read it.
        return None
    if not settings.webhook_secret:
        raise MarketplaceSignatureInvalid(
            f"Channel {channel.slug!r} has no webhook_secret: marketplace orders are refused"
        )
    # Constant time: the comparison must not tell a forger how much of it was right.
    if not hmac.compare_digest(
        (given or "").encode(), signature_of(body, settings.webhook_secret).encode()
    ):
        raise MarketplaceSignatureInvalid("The X-Marketplace-Signature header is missing or wrong")
    try:
        return _order(orjson.loads(body))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise MarketplaceOrderRejected(f"The body is not a marketplace order: {error}") from None


def _order(data: Any) -> MarketplaceOrder:
    address = data["shippingAddress"]
    return MarketplaceOrder(
        external_id=webhook_json.text(data["externalId"]),
        email=webhook_json.text(data["email"]),
        shipping_address=MailingAddressInput(
            **{
                ours: webhook_json.optional_text(address.get(theirs))
                for theirs, ours in _ADDRESS_FIELDS.items()
            }
        ),
        lines=tuple(
            MarketplaceOrderLine(
                sku=webhook_json.text(line["sku"]),
                quantity=webhook_json.integer(line["quantity"]),
                unit_price=webhook_json.money(line["unitPrice"]),
            )
            for line in data["lines"]
        ),
        delivery_amount=webhook_json.money(data["deliveryAmount"]),
        placed_at=datetime.fromisoformat(webhook_json.text(data["placedAt"])),
    )
