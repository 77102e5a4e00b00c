"""A catalog to read feeds of: a web channel and a marketplace channel (commission and a
safety buffer), both supplied by a warehouse and a pick-up store; products published
in one, both or neither."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from core.catalog import services as catalog
from core.channels.model import Channel, ChannelKind, EnabledPlugin, Location, LocationKind
from core.ids import VariantId
from core.inventory import services as inventory
from core.money import Money
from core.runtime import Runtime
from core.staff.model import Scope
from tests.factories import GraphQLClient, bearer, make_channel, make_location, make_product
from tests.factories import staff_token as make_staff_token

G = "{http://base.google.com/ns/1.0}"


@dataclass(frozen=True)
class FeedShop:
    web: Channel
    market: Channel
    warehouse: Location
    store: Location
    # SKU -> variant id
    variants: dict[str, VariantId]
    token: str


@pytest.fixture
async def feed_shop(runtime: Runtime) -> FeedShop:
    warehouse = await make_location(runtime, slug="warehouse")
    store = await make_location(
        runtime, slug="city-store", kind=LocationKind.STORE, pickup_enabled=True
    )
    web = await make_channel(runtime, slug="web", currency="EUR", locations=[warehouse, store])
    market = await make_channel(
        runtime,
        slug="market",
        kind=ChannelKind.MARKETPLACE,
        currency="EUR",
        locations=[warehouse, store],
        plugins=[
            EnabledPlugin(
                "marketplace",
                {"commission_markup_basis_points": 1000, "safety_buffer_units": 2},
            )
        ],
    )
    tee = await make_product(
        runtime,
        channel=web,
        slug="tee",
        name="Tee & <Friends>",
        description='Soft "cotton" tee',
        variants=["TEE-S", "TEE-M"],
        price="12.50",
        images=[catalog.NewImage(url="https://img.example.com/tee.jpg")],
    )
    mug = await make_product(runtime, channel=web, slug="mug", price="5.00")
    hidden = await make_product(runtime, channel=web, slug="hidden", is_published=False)
    elsewhere = await make_product(runtime, channel=market, slug="elsewhere", price="7.00")
    for made in (tee, mug):
        await catalog.set_listing(
            runtime.uow(), product_id=made.product.id, channel_id=market.id, is_published=True
        )
        for variant in made.variants:
            await catalog.set_variant_price(
                runtime.uow(),
                variant_id=variant.id,
                channel_id=market.id,
                price=Money.parse("20.00", "EUR"),
            )
    variants = {
        variant.sku: variant.id
        for made in (tee, mug, hidden, elsewhere)
        for variant in made.variants
    }
    for sku, location, quantity in (
        ("TEE-S", warehouse, 10),
        ("TEE-S", store, 3),
        ("MUG-1", warehouse, 2),
        ("HIDDEN-1", warehouse, 5),
        ("ELSEWHERE-1", warehouse, 5),
    ):
        await inventory.set_stock(
            runtime.uow(),
            variant_id=variants[sku],
            location_id=location.id,
            quantity=quantity,
            reason="initial count",
            actor="test",
        )
    token = await make_staff_token(runtime, Scope.FEEDS_READ, name="feed-reader")
    return FeedShop(web, market, warehouse, store, variants, token)


async def get_feed(
    client: httpx.AsyncClient, shop: FeedShop, path: str, **headers: str
) -> httpx.Response:
    return await client.get(path, headers={**bearer(shop.token), **headers})


def google_items(body: str) -> list[dict[str, str]]:
    """Each <item> of an RSS feed as {field without the g: prefix: text}."""
    root = ElementTree.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for required in ("title", "link", "description"):
        assert channel.find(required) is not None
    return [
        {child.tag.removeprefix(G): child.text or "" for child in item}
        for item in channel.findall("item")
    ]


def meta_rows(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body)))


PRODUCTS = """
query ($channel: String!) {
  products(channel: $channel, first: 100) {
    nodes {
      slug name description images { url }
      variants { sku price { amount currency } availability { status quantity } }
    }
  }
}
"""


async def api_variants(gql: GraphQLClient, channel: str) -> dict[str, dict[str, Any]]:
    """What the GraphQL API shows of each priced variant in the channel, by SKU."""
    body = await gql(PRODUCTS, {"channel": channel})
    assert "errors" not in body, body
    return {
        variant["sku"]: {"product": product, **variant}
        for product in body["data"]["products"]["nodes"]
        for variant in product["variants"]
        if variant["price"] is not None
    }
