"""Orders in tests: checkout documents and helpers (the plugin kit's,
``omnicart.kit.checkout``), the payment plugins to enable, and the staff documents of
fulfilment."""

from __future__ import annotations

from typing import Any

from core.channels.model import EnabledPlugin
from omnicart.kit.checkout import (
    BY_TOKEN,
    CHECKOUT,
    CHOOSE,
    EMAIL,
    HOME,
    ORDER,
    SHIP_TO,
    checkout,
    prepare,
)
from tests.factories.graphql import GraphQLClient

GATEWAY = EnabledPlugin("test-gateway", {})
PAY_AT_PICKUP = EnabledPlugin("pay-at-pickup", {})

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


__all__ = [
    "BY_TOKEN",
    "CHECKOUT",
    "CHOOSE",
    "EMAIL",
    "FULFIL",
    "FULFILMENT",
    "GATEWAY",
    "HOME",
    "ORDER",
    "OWNER_ORDER",
    "PAY_AT_PICKUP",
    "PICKED_UP",
    "READY",
    "REROUTE",
    "SHIP_TO",
    "STAFF_ORDER",
    "checkout",
    "owner_view",
    "prepare",
]
