"""Carts to test with: a stocked store for the cart services, and the cart documents and
a ``cartCreate`` helper for tests through GraphQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.channels.model import Channel
from core.ids import CustomerId, VariantId
from core.inventory import services as inventory
from core.runtime import Runtime
from omnicart.kit.checkout import CART, CREATE
from schema.relay import to_global_id
from tests.factories.accounts import make_customer
from tests.factories.catalog import make_product
from tests.factories.channels import make_channel, make_location
from tests.factories.graphql import GraphQLClient
from tests.factories.inventory import Shop


@dataclass(frozen=True)
class Store:
    """A web channel with one warehouse, the variants it stocks and a registered customer."""

    channel: Channel
    variants: list[VariantId]
    customer: CustomerId


async def make_store(runtime: Runtime, *, variants: int = 3, stock: int = 10) -> Store:
    warehouse = await make_location(runtime, slug="warehouse")
    channel = await make_channel(runtime, slug="web", locations=[warehouse])
    product = await make_product(
        runtime, channel=channel, slug="tee", variants=[f"TEE-{i}" for i in range(variants)]
    )
    for variant in product.variants:
        await inventory.set_stock(
            runtime.uow(),
            variant_id=variant.id,
            location_id=warehouse.id,
            quantity=stock,
            reason="count",
            actor="test",
        )
    customer = await make_customer(runtime)
    return Store(channel, [variant.id for variant in product.variants], customer.id)


ADD = f"""
mutation ($token: String!, $lines: [CartLineInput!]!, $version: Int, $key: String) {{
  cartLinesAdd(token: $token, lines: $lines, expectedVersion: $version, idempotencyKey: $key) {{
    cart {{ {CART} }}
    errors {{ field code message }}
    replayed
  }}
}}
"""


CLEAR = f"""
mutation ($token: String!) {{
  cartClear(token: $token) {{ cart {{ {CART} }} errors {{ field code message }} }}
}}
"""


READ = f"query ($token: String!) {{ cart(token: $token) {{ {CART} }} }}"


def variant_gid(shop: Shop) -> str:
    return to_global_id("ProductVariant", shop.variant_id)


async def create(gql: GraphQLClient, shop: Shop, quantity: int = 0) -> dict[str, Any]:
    lines = [{"variantId": variant_gid(shop), "quantity": quantity}] if quantity else []
    body = await gql(CREATE, {"input": {"channel": shop.channel.slug, "lines": lines}})
    payload: dict[str, Any] = body["data"]["cartCreate"]
    assert payload["errors"] == [], payload
    cart: dict[str, Any] = payload["cart"]
    return cart
