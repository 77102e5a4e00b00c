"""Checkout through GraphQL: the documents a storefront sends (cart, email, address,
delivery choice, payment) and helpers that send them."""

from __future__ import annotations

from typing import Any

from omnicart.kit.graphql import GraphQLClient

# The whole cart as the cart documents below select it.
CART = """
  token version status email
  channel { slug currency }
  totalQuantity
  lines {
    id quantity
    variant { sku price { amount currency } }
    cost {
      amountPerQuantity { amount currency }
      subtotalAmount { amount }
      totalAmount { amount currency }
    }
  }
  cost {
    subtotalAmount { amount currency }
    totalAmount { amount currency }
    adjustments { label plugin amount { amount currency } }
  }
  problems { code lineId message availableQuantity }
"""


CREATE = f"""
mutation ($input: CartCreateInput!, $key: String) {{
  cartCreate(input: $input, idempotencyKey: $key) {{
    cart {{ {CART} }}
    errors {{ field code message }}
    replayed
  }}
}}
"""


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
