"""The store till in tests: the demo's Warszawa store, its variants, every location's
stock as stored, and ``posCheckout`` over GraphQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from core.demo.seed import seed_demo
from core.ids import VariantId
from core.money import Money
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories.accounts import bearer, staff_token
from tests.factories.graphql import GraphQLClient

STORE = "warszawa-store"
STORE_CHANNEL = "store-warszawa"
CASH = {"provider": "cash", "data": {"tendered": "10000.00"}}
CARD = {"provider": "card-present", "data": {"card": "4242 4242 4242 4242"}}
DECLINED_CARD = {"provider": "card-present", "data": {"card": "4000 0000 0000 0002"}}

POS_CHECKOUT = """
mutation (
  $location: ID!, $lines: [PosLineInput!]!, $payment: PaymentInput!, $key: String!,
  $customer: String, $delivery: PosDeliveryInput, $attributes: [AttributeInput!]
) {
  posCheckout(
    locationId: $location, lines: $lines, payment: $payment, idempotencyKey: $key,
    customerId: $customer, delivery: $delivery, attributes: $attributes
  ) {
    order {
      id number status paymentStatus channel { slug } customerId email
      cost { totalAmount { amount currency } deliveryAmount { amount } }
      lines { sku quantity unitPrice { amount } }
      deliveryGroups { method location { slug } lines { quantity location { slug } } }
    }
    change { amount currency }
    replayed
    errors { field code message }
  }
}
"""


async def store_variants(runtime: Runtime, *, at_least: int, count: int = 1) -> list[VariantId]:
    """Variants the store holds at least ``at_least`` of and the store channel sells."""
    return await _variants(runtime, "s.on_hand >= :units", at_least, count)


async def variants_missing_in_store(runtime: Runtime, *, warehouse_at_least: int) -> VariantId:
    """A variant sold in the store channel that the store has none of and the
    warehouse has at least ``warehouse_at_least``."""
    (found,) = await _variants(
        runtime,
        "s.on_hand = 0 AND EXISTS (SELECT 1 FROM stock_levels AS w JOIN locations AS wl "
        "ON wl.id = w.location_id WHERE wl.slug = 'blonie-warehouse' "
        "AND w.variant_id = s.variant_id AND w.on_hand >= :units)",
        warehouse_at_least,
        1,
    )
    return found


async def _variants(runtime: Runtime, condition: str, units: int, count: int) -> list[VariantId]:
    async with runtime.reads.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT s.variant_id FROM stock_levels AS s "
                    "JOIN locations AS l ON l.id = s.location_id "
                    "JOIN variants AS v ON v.id = s.variant_id "
                    "JOIN variant_prices AS p ON p.variant_id = s.variant_id "
                    "JOIN channels AS c ON c.id = p.channel_id "
                    "JOIN product_listings AS pl ON pl.product_id = v.product_id "
                    "AND pl.channel_id = c.id AND pl.is_published "
                    f"WHERE l.slug = :store AND c.slug = :channel AND {condition} "
                    "ORDER BY s.variant_id LIMIT :count"
                ),
                {"store": STORE, "channel": STORE_CHANNEL, "units": units, "count": count},
            )
        ).all()
    assert len(rows) == count
    return [VariantId(row.variant_id) for row in rows]


async def stock_everywhere(runtime: Runtime, variant_id: VariantId) -> dict[str, tuple[int, int]]:
    """(on hand, reserved) of the variant at every location, by slug."""
    async with runtime.reads.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT l.slug, s.on_hand, s.reserved FROM stock_levels AS s "
                    "JOIN locations AS l ON l.id = s.location_id WHERE s.variant_id = :variant"
                ),
                {"variant": variant_id},
            )
        ).all()
    return {row.slug: (row.on_hand, row.reserved) for row in rows}


async def scalar(runtime: Runtime, sql: str, parameters: dict[str, Any] | None = None) -> Any:
    async with runtime.reads.connect() as connection:
        return (await connection.execute(text(sql), parameters or {})).scalar_one()


async def till_staff(runtime: Runtime, gql: GraphQLClient) -> GraphQLClient:
    """The demo seeded, and a client with the Warszawa till's token (orders:manage,
    scoped to the store)."""
    await seed_demo(runtime)
    token = await staff_token(runtime, Scope.ORDERS_MANAGE, locations=[STORE])
    return gql.with_headers(**bearer(token))


async def counts(runtime: Runtime) -> tuple[int, ...]:
    """Orders, fulfilments, reservations and stock movements as stored."""
    tables = ("orders", "fulfilments", "reservations", "stock_movements")
    return tuple([int(await scalar(runtime, f"SELECT count(*) FROM {table}")) for table in tables])


async def location_gid(runtime: Runtime, slug: str) -> str:
    found = await scalar(runtime, "SELECT id FROM locations WHERE slug = :s", {"s": slug})
    return to_global_id("Location", found)


async def store_price(runtime: Runtime, variant: VariantId) -> str:
    """The variant's base price in the store channel, as GraphQL shows amounts."""
    minor = await scalar(
        runtime,
        "SELECT p.amount_minor FROM variant_prices AS p JOIN channels AS c "
        "ON c.id = p.channel_id WHERE c.slug = :c AND p.variant_id = :v",
        {"c": STORE_CHANNEL, "v": variant},
    )
    return Money(minor, "PLN").amount_string()


async def sell(
    staff: GraphQLClient,
    location: str,
    lines: list[tuple[VariantId, int]],
    *,
    key: str = "till-sale-0001",
    payment: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``posCheckout``'s payload (asserting no top-level GraphQL error)."""
    body = await staff(
        POS_CHECKOUT,
        {
            "location": location,
            "lines": [
                {"variantId": to_global_id("ProductVariant", variant), "quantity": quantity}
                for variant, quantity in lines
            ],
            "payment": payment or CASH,
            "key": key,
            **extra,
        },
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["posCheckout"]
    return payload
