"""Checkout through GraphQL: the documents a storefront sends, and a helper that takes a
cart of the delivery shop (``tests.factories.delivery``) to a placed order."""

from __future__ import annotations

from typing import Any

from core.channels.model import EnabledPlugin
from tests.factories.graphql import GraphQLClient

GATEWAY = EnabledPlugin("test-gateway", {})
PAY_AT_PICKUP = EnabledPlugin("pay-at-pickup", {})

HOME = {
    "firstName": "Ann",
    "lastName": "Lee",
    "line1": "1 Main St",
    "postalCode": "00-001",
    "city": "Warszawa",
    "countryCode": "PL",
}

ORDER = """
  id number status paymentStatus email customerId version createdAt
  channel { slug }
  lines { sku name quantity unitPrice { amount currency } totalPrice { amount } }
  cost {
    subtotalAmount { amount } deliveryAmount { amount }
    adjustments { label amount { amount } } totalAmount { amount currency }
  }
  shippingAddress { city countryCode }
  billingAddress { city }
  deliveryGroups {
    method handle title cost { amount } estimatedAt payAtPickup location { slug }
    lines { quantity location { slug } }
  }
  history { status paymentStatus actor note }
"""

CHECKOUT = f"""
mutation ($token: String!, $key: String!, $payment: PaymentInput!, $version: Int) {{
  checkoutComplete(token: $token, idempotencyKey: $key, payment: $payment,
                   expectedVersion: $version) {{
    order {{ {ORDER} }}
    orderToken
    errors {{ field code message }}
    replayed
  }}
}}
"""

EMAIL = """
mutation ($token: String!, $email: String!) {
  cartEmailUpdate(token: $token, email: $email) { errors { field code } }
}
"""

SHIP_TO = """
mutation ($token: String!, $address: MailingAddressInput) {
  cartShippingAddressSet(token: $token, address: $address) { errors { field code } }
}
"""

CHOOSE = """
mutation ($token: String!, $choices: [CartSelectedDeliveryOptionInput!]!) {
  cartSelectedDeliveryOptionsUpdate(token: $token, selectedDeliveryOptions: $choices) {
    cart { version cost { totalAmount { amount } } }
    errors { field code message }
  }
}
"""

BY_TOKEN = f"query ($token: String!) {{ orderByToken(token: $token) {{ {ORDER} }} }}"


async def prepare(
    gql: GraphQLClient,
    token: str,
    *,
    handles: dict[str, str],
    email: str | None = "ann@example.com",
    address: dict[str, Any] | None = HOME,
) -> dict[str, Any]:
    """Email, shipping address and delivery choices on the cart; the cart after."""
    if email is not None:
        body = await gql(EMAIL, {"token": token, "email": email})
        assert body["data"]["cartEmailUpdate"]["errors"] == [], body
    if address is not None:
        body = await gql(SHIP_TO, {"token": token, "address": address})
        assert body["data"]["cartShippingAddressSet"]["errors"] == [], body
    choices = [
        {"deliveryGroupId": group, "deliveryOptionHandle": handle}
        for group, handle in handles.items()
    ]
    body = await gql(CHOOSE, {"token": token, "choices": choices})
    payload: dict[str, Any] = body["data"]["cartSelectedDeliveryOptionsUpdate"]
    assert payload["errors"] == [], payload
    return payload


async def checkout(
    gql: GraphQLClient,
    token: str,
    *,
    key: str = "checkout-key-0001",
    provider: str = "test-gateway",
    data: dict[str, Any] | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    body = await gql(
        CHECKOUT,
        {
            "token": token,
            "key": key,
            "payment": {"provider": provider, "data": data or {}},
            "version": version,
        },
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["checkoutComplete"]
    return payload


# Staff documents of fulfilment (issue 14): what a store or warehouse app sends.
FULFILMENT = """
  id method status createdAt location { slug }
  lines { lineId quantity } tracking { carrier number url }
"""

STAFF_ORDER = f"""
  {ORDER}
  lines {{ id }}
  fulfilments {{ {FULFILMENT} }}
  pickups {{ location {{ slug }} code readyAt collectedAt }}
"""

FULFIL = f"""
mutation ($order: ID!, $location: ID!, $lines: [OrderLineQuantityInput!]!,
          $tracking: FulfilmentTrackingInput) {{
  fulfilmentCreate(orderId: $order, locationId: $location, lines: $lines, tracking: $tracking) {{
    order {{ {STAFF_ORDER} }}
    fulfilment {{ {FULFILMENT} }}
    errors {{ field code message }}
  }}
}}
"""

READY = f"""
mutation ($order: ID!, $location: ID!) {{
  orderReadyForPickup(orderId: $order, locationId: $location) {{
    order {{ {STAFF_ORDER} }}
    errors {{ field code message }}
  }}
}}
"""

PICKED_UP = f"""
mutation ($order: ID!, $location: ID!, $code: String!) {{
  orderPickupComplete(orderId: $order, locationId: $location, pickupCode: $code) {{
    order {{ {STAFF_ORDER} }}
    fulfilment {{ {FULFILMENT} }}
    errors {{ field code message }}
  }}
}}
"""

REROUTE = f"""
mutation ($order: ID!, $from: ID!, $lines: [OrderLineQuantityInput!]!) {{
  allocationReroute(orderId: $order, fromLocationId: $from, lines: $lines) {{
    order {{ {STAFF_ORDER} }}
    errors {{ field code message }}
  }}
}}
"""

OWNER_ORDER = f"query ($token: String!) {{ orderByToken(token: $token) {{ {STAFF_ORDER} }} }}"


async def owner_view(gql: GraphQLClient, order_token: str) -> dict[str, Any]:
    """The order as its owner reads it by token, with line ids, fulfilments and pickups."""
    body = await gql(OWNER_ORDER, {"token": order_token})
    assert "errors" not in body, body
    order: dict[str, Any] = body["data"]["orderByToken"]
    return order
