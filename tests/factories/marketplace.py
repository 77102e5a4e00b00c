"""A marketplace channel and orders imported into it (issue 15): through
``marketplaceOrderImport`` or the signed webhook."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from core.channels.model import ChannelKind
from core.runtime import Runtime
from plugins.marketplace.orders import signature_of
from tests.factories.delivery import DeliveryShop, make_delivery_shop
from tests.factories.graphql import GraphQLClient

SECRET = "marketplace-webhook-secret"
WEBHOOK = "/channels/shop/marketplace-orders"

IMPORT = """
mutation ($channel: String!, $input: MarketplaceOrderInput!) {
  marketplaceOrderImport(channel: $channel, input: $input) {
    replayed
    errors { field code message }
    order {
      number status paymentStatus externalId email
      lines { sku quantity unitPrice { amount } totalPrice { amount } }
      cost { subtotalAmount { amount } deliveryAmount { amount } totalAmount { amount currency } }
      shippingAddress { city countryCode }
      deliveryGroups { method cost { amount } lines { quantity location { slug } } }
      history { status paymentStatus actor }
    }
  }
}
"""


async def make_marketplace(
    runtime: Runtime, *, stock: dict[tuple[int, str], int], commission: int = 800
) -> DeliveryShop:
    """A marketplace channel "shop" (PLN, BOOT-1 and BOOT-2 at 60.00, a commission the
    import must not apply) supplied by the warehouse, then the stores."""
    return await make_delivery_shop(
        runtime,
        plugin="marketplace",
        kind=ChannelKind.MARKETPLACE,
        settings={"webhook_secret": SECRET, "commission_markup_basis_points": commission},
        stock=stock,
    )


def order_input(
    external_id: str = "MP-1001",
    lines: tuple[tuple[str, int, str], ...] = (("BOOT-1", 2, "55.50"),),
    *,
    delivery: str = "4.99",
    currency: str = "PLN",
) -> dict[str, Any]:
    """A ``MarketplaceOrderInput``: ``lines`` of (SKU, quantity, unit price)."""
    return {
        "externalId": external_id,
        "placedAt": "2026-12-06T18:30:00+00:00",
        "email": "buyer@example.com",
        "shippingAddress": {
            "firstName": "Ola",
            "lastName": "Nowak",
            "line1": "Prosta 1",
            "postalCode": "00-001",
            "city": "Warszawa",
            "countryCode": "PL",
        },
        "lines": [
            {"sku": sku, "quantity": quantity, "unitPrice": {"amount": price, "currency": currency}}
            for sku, quantity, price in lines
        ],
        "deliveryAmount": {"amount": delivery, "currency": currency},
    }


async def import_order(
    gql: GraphQLClient, given: dict[str, Any], *, channel: str = "shop"
) -> dict[str, Any]:
    """The ``marketplaceOrderImport`` payload (``gql`` carries the staff token)."""
    body = await gql(IMPORT, {"channel": channel, "input": given})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["marketplaceOrderImport"]
    return payload


async def post_order(
    client: httpx.AsyncClient,
    given: dict[str, Any],
    *,
    secret: str = SECRET,
    url: str = WEBHOOK,
) -> httpx.Response:
    """Post ``given`` to the webhook as JSON, signed with ``secret``."""
    body = orjson.dumps(given)
    return await client.post(
        url,
        content=body,
        headers={
            "content-type": "application/json",
            "x-marketplace-signature": signature_of(body, secret),
        },
    )
