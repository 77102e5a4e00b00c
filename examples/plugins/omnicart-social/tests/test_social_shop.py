"""A Meta shop's orders come in through the marketplace webhook: signed by the app,
allocated from the channel's stock, at the shop's prices, once."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from omnicart_social import SIGNATURE_HEADER, signature_of

from omnicart.testing import GraphQL, Omnicart

WEBHOOK = "/channels/marketplace/marketplace-orders"

ORDERS = """
query ($channel: String) {
  orders(filter: { channel: $channel }) {
    nodes {
      number externalId email status paymentStatus
      lines { sku quantity unitPrice { amount currency } }
      cost { totalAmount { amount } deliveryAmount { amount } }
      shippingAddress { firstName lastName line1 city countryCode }
      deliveryGroups { cost { amount } lines { quantity location { id } } }
    }
  }
}
"""

AVAILABILITY = """
query ($id: ID!) {
  node(id: $id, channel: "marketplace") {
    ... on ProductVariant { availability(channel: "marketplace") { quantity } }
  }
}
"""

CHANNEL_UPDATE = """
mutation ($id: ID!, $plugins: [ChannelPluginInput!]) {
  channelUpdate(id: $id, input: { plugins: $plugins }) { errors { field code } }
}
"""


def meta_order(
    items: list[tuple[str, int, str]], *, order_id: str = "368508827392800", shipping: str = "9.90"
) -> dict[str, Any]:
    """A Meta shop order for ``items`` (retailer_id = our SKU, quantity, price per
    unit in PLN), as the platform posts it (README.md, "The order webhook")."""
    return {
        "id": order_id,
        "order_status": {"state": "CREATED"},
        "created": "2026-12-06T18:30:00+00:00",
        "channel": "instagram",
        "buyer_details": {"name": "Ola Nowak", "email": "ola.nowak@example.com"},
        "shipping_address": {
            "name": "Ola Nowak",
            "street1": "ul. Prosta 1",
            "street2": "m. 4",
            "city": "Warszawa",
            "state": "mazowieckie",
            "postal_code": "00-001",
            "country": "PL",
        },
        "items": [
            {
                "id": f"item-{index}",
                "retailer_id": sku,
                "quantity": quantity,
                "price_per_unit": {"amount": price, "currency": "PLN"},
            }
            for index, (sku, quantity, price) in enumerate(items)
        ],
        "selected_shipping_option": {
            "name": "Standard",
            "price": {"amount": shipping, "currency": "PLN"},
        },
    }


async def post(
    http: httpx.AsyncClient, order: dict[str, Any], *, secret: str | None
) -> httpx.Response:
    """POST ``order`` to the channel's webhook, signed with ``secret`` (None: unsigned)."""
    body = orjson.dumps(order)
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers[SIGNATURE_HEADER] = signature_of(body, secret)
    return await http.post(WEBHOOK, content=body, headers=headers)


async def marketplace_orders(omnicart: Omnicart, graphql: GraphQL) -> list[dict[str, Any]]:
    token = await omnicart.staff_token(["orders:read"])
    data = await graphql(ORDERS, {"channel": "marketplace"}, token=token)
    found: list[dict[str, Any]] = data["orders"]["nodes"]
    return found


async def available(omnicart: Omnicart, graphql: GraphQL, sku: str) -> int:
    data = await graphql(AVAILABILITY, {"id": omnicart.demo.variants[sku]})
    quantity: int = data["node"]["availability"]["quantity"]
    return quantity


async def test_a_signed_order_posted_twice_is_one_order_at_the_shops_prices_from_stock(
    omnicart: Omnicart, omnicart_graphql: GraphQL, app_secret: str
) -> None:
    sku = omnicart.demo.skus[0]
    before = await available(omnicart, omnicart_graphql, sku)
    order = meta_order([(sku, 2, "123.45")], shipping="9.90")

    first = await post(omnicart.http, order, secret=app_secret)
    again = await post(omnicart.http, order, secret=app_secret)

    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json() == {"orderNumber": first.json()["orderNumber"], "replayed": True}
    [placed] = await marketplace_orders(omnicart, omnicart_graphql)
    assert placed["number"] == first.json()["orderNumber"]
    assert placed["externalId"] == "368508827392800"
    assert placed["email"] == "ola.nowak@example.com"
    assert (placed["status"], placed["paymentStatus"]) == ("PLACED", "CAPTURED")
    assert placed["lines"] == [
        {"sku": sku, "quantity": 2, "unitPrice": {"amount": "123.45", "currency": "PLN"}}
    ]
    assert placed["cost"]["totalAmount"] == {"amount": "256.80"}
    assert placed["cost"]["deliveryAmount"] == {"amount": "9.90"}
    assert placed["shippingAddress"] == {
        "firstName": "Ola",
        "lastName": "Nowak",
        "line1": "ul. Prosta 1",
        "city": "Warszawa",
        "countryCode": "PL",
    }
    [group] = placed["deliveryGroups"]
    assert group["cost"] == {"amount": "9.90"}
    assert sum(planned["quantity"] for planned in group["lines"]) == 2
    assert await available(omnicart, omnicart_graphql, sku) == before - 2


@pytest.mark.parametrize(
    "secret", ["a-secret-someone-guessed", None], ids=["wrong secret", "unsigned"]
)
async def test_a_bad_signature_is_401_and_writes_nothing(
    omnicart: Omnicart, omnicart_graphql: GraphQL, secret: str | None
) -> None:
    sku = omnicart.demo.skus[0]
    before = await available(omnicart, omnicart_graphql, sku)

    refused = await post(omnicart.http, meta_order([(sku, 1, "10.00")]), secret=secret)

    assert refused.status_code == 401
    assert [error["code"] for error in refused.json()["errors"]] == ["MARKETPLACE_ORDER_REJECTED"]
    assert await marketplace_orders(omnicart, omnicart_graphql) == []
    assert await available(omnicart, omnicart_graphql, sku) == before


async def test_a_body_changed_after_signing_is_401(omnicart: Omnicart, app_secret: str) -> None:
    body = orjson.dumps(meta_order([(omnicart.demo.skus[0], 1, "10.00")]))
    signature = signature_of(body, app_secret)
    cheaper = body.replace(b'"10.00"', b'"01.00"')

    refused = await omnicart.http.post(
        WEBHOOK, content=cheaper, headers={SIGNATURE_HEADER: signature}
    )

    assert refused.status_code == 401


async def test_an_unknown_sku_refuses_the_whole_order_and_writes_nothing(
    omnicart: Omnicart, omnicart_graphql: GraphQL, app_secret: str
) -> None:
    sku = omnicart.demo.skus[0]
    before = await available(omnicart, omnicart_graphql, sku)

    refused = await post(
        omnicart.http,
        meta_order([(sku, 1, "10.00"), ("NO-SUCH-SKU", 1, "5.00")]),
        secret=app_secret,
    )

    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["code"], error["path"]) == ("UNKNOWN_SKU", ["lines", "1", "sku"])
    assert await marketplace_orders(omnicart, omnicart_graphql) == []
    assert await available(omnicart, omnicart_graphql, sku) == before


async def test_a_body_that_is_not_a_meta_order_is_rejected(
    omnicart: Omnicart, app_secret: str
) -> None:
    order = meta_order([(omnicart.demo.skus[0], 1, "10.00")])
    order["items"][0]["price_per_unit"]["amount"] = 10.0  # a float: never money

    refused = await post(omnicart.http, order, secret=app_secret)

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "MARKETPLACE_ORDER_REJECTED"


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"app_secret": "short"},
        {"app_secret": "7f3c1e9a0b5d4c2e8f6a1b3c5d7e9f01", "safety_buffer_units": -1},
    ],
    ids=["no secret", "short secret", "negative buffer"],
)
async def test_a_channel_refuses_settings_without_a_usable_secret(
    omnicart: Omnicart, omnicart_graphql: GraphQL, settings: dict[str, object]
) -> None:
    token = await omnicart.staff_token(["channels:write"])
    plugins = [{"name": "social-shop", "settings": settings}]

    data = await omnicart_graphql(
        CHANNEL_UPDATE,
        {"id": omnicart.demo.channels["marketplace"], "plugins": plugins},
        token=token,
    )

    assert [error["code"] for error in data["channelUpdate"]["errors"]] == [
        "INVALID_PLUGIN_SETTINGS"
    ]


async def test_the_safety_buffer_holds_units_back_from_the_shop(
    omnicart: Omnicart, omnicart_graphql: GraphQL, app_secret: str
) -> None:
    sku = omnicart.demo.skus[0]
    before = await available(omnicart, omnicart_graphql, sku)
    token = await omnicart.staff_token(["channels:write"])
    # The demo marketplace channel's plugins (defaults), the social shop now with a buffer.
    plugins = [
        {"name": "marketplace", "settings": {}},
        {"name": "test-gateway", "settings": {}},
        {"name": "social-shop", "settings": {"app_secret": app_secret, "safety_buffer_units": 2}},
    ]

    data = await omnicart_graphql(
        CHANNEL_UPDATE,
        {"id": omnicart.demo.channels["marketplace"], "plugins": plugins},
        token=token,
    )

    assert data["channelUpdate"]["errors"] == []
    assert await available(omnicart, omnicart_graphql, sku) == before - 2
