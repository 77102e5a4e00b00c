"""Returns and refunds through GraphQL (issue 14): the documents a store app sends, and
an order collected at the centre store to return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories.accounts import bearer, staff_token
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop
from tests.factories.graphql import GraphQLClient
from tests.factories.orders import (
    GATEWAY,
    PICKED_UP,
    READY,
    STAFF_ORDER,
    checkout,
    owner_view,
    prepare,
)

RETURNS = """
  returns {
    id status createdAt channel { slug } location { slug }
    lines { id orderLine { id sku } quantity reason received restocked writtenOff }
  }
  refunds { amount { amount currency } reason createdAt }
"""

RETURN_ORDER = f"{STAFF_ORDER} {RETURNS}"

RETURN_CREATE = f"""
mutation ($order: ID, $token: String, $lines: [ReturnLineInput!]!, $channel: String) {{
  returnCreate(orderId: $order, orderToken: $token, lines: $lines, channel: $channel) {{
    order {{ {RETURN_ORDER} }}
    return {{ id status lines {{ id quantity }} channel {{ slug }} }}
    errors {{ field code message }}
  }}
}}
"""

RETURN_RECEIVE = f"""
mutation ($return: ID!, $location: ID!, $lines: [ReturnReceiveLineInput!]!) {{
  returnReceive(returnId: $return, locationId: $location, lines: $lines) {{
    order {{ {RETURN_ORDER} }}
    return {{ id status location {{ slug }} lines {{ received restocked writtenOff }} }}
    errors {{ field code message }}
  }}
}}
"""

REFUND_CREATE = f"""
mutation ($order: ID!, $key: String!, $amount: MoneyInput,
          $lines: [OrderLineQuantityInput!], $reason: String!) {{
  refundCreate(orderId: $order, idempotencyKey: $key, amount: $amount, lines: $lines,
               reason: $reason) {{
    order {{ {RETURN_ORDER} }}
    refund {{ id amount {{ amount currency }} reason }}
    replayed
    errors {{ field code message }}
  }}
}}
"""


def location_id(shop: DeliveryShop, slug: str) -> str:
    return to_global_id("Location", shop.location(slug).id)


@dataclass(frozen=True)
class Collected:
    """An order of two units collected at the centre store (paid by the test gateway)."""

    shop: DeliveryShop
    order: dict[str, Any]
    order_token: str
    staff: GraphQLClient

    @property
    def line_id(self) -> str:
        line_id: str = self.order["lines"][0]["id"]
        return line_id


async def collected_order(runtime: Runtime, gql: GraphQLClient, *, far_stock: int = 0) -> Collected:
    stock = {(0, "centre"): 3, **({(0, "far"): far_stock} if far_stock else {})}
    shop = await make_delivery_shop(runtime, plugin="mobile", stock=stock, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (2,))
    await prepare(gql, token, handles={"delivery-1": "reserve:centre-store"}, address=None)
    placed = await checkout(gql, token)
    assert placed["errors"] == [], placed
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    where = {"order": placed["order"]["id"], "location": location_id(shop, "centre")}
    ready = (await staff(READY, where))["data"]["orderReadyForPickup"]
    assert ready["errors"] == [], ready
    code = (await owner_view(gql, placed["orderToken"]))["pickups"][0]["code"]
    collected = (await staff(PICKED_UP, {**where, "code": code}))["data"]["orderPickupComplete"]
    assert collected["errors"] == [], collected
    return Collected(shop, collected["order"], placed["orderToken"], staff)


async def on_hand(runtime: Runtime) -> dict[str, tuple[int, int]]:
    """(on hand, reserved) per location slug, of every stock level."""
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT l.slug, s.on_hand, s.reserved FROM stock_levels AS s "
                "JOIN locations AS l ON l.id = s.location_id ORDER BY l.slug"
            )
        )
        return {row.slug: (row.on_hand, row.reserved) for row in rows.all()}


async def movements(runtime: Runtime, kinds: tuple[str, ...]) -> list[tuple[str, str, int, str]]:
    """(location slug, kind, delta, reason) of the movements of ``kinds``, oldest first."""
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT l.slug, m.kind, m.delta, m.reason FROM stock_movements AS m "
                "JOIN locations AS l ON l.id = m.location_id ORDER BY m.id"
            )
        )
        return [tuple(row) for row in rows.all() if row.kind in kinds]
