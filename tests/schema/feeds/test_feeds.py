"""The product feeds as their readers fetch them: the products the channel publishes,
with the prices and availability the GraphQL API shows."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from core.runtime import Runtime
from tests.factories import GraphQLClient, make_channel
from tests.schema.feeds.conftest import (
    FeedShop,
    api_variants,
    get_feed,
    google_items,
    meta_rows,
)

# The fields each format requires of every item (image_link may be empty at Meta).
GOOGLE_REQUIRED = {"id", "item_group_id", "title", "description", "link", "price"}
META_REQUIRED = {"id", "title", "description", "link", "price", "brand", "item_group_id"}
META_HEADER = (
    "id,title,description,availability,condition,price,link,image_link,brand,item_group_id"
)
LOCAL_REQUIRED = ("store_code", "id", "availability", "quantity")
STORES = """
query ($channel: String!) {
  products(channel: $channel, first: 100) {
    nodes { variants { sku storeAvailability(near: {lat: 0, lon: 0}) {
      edges { node { location { slug } quantity } } } } }
  }
}
"""


def _price(variant: dict[str, object]) -> str:
    price = variant["price"]
    assert isinstance(price, dict)
    return f"{price['amount']} {price['currency']}"


def _available(variant: dict[str, object]) -> bool:
    availability = variant["availability"]
    assert isinstance(availability, dict)
    return bool(availability["status"] != "OUT_OF_STOCK")


FORMATS: dict[str, tuple[Callable[[str], list[dict[str, str]]], set[str], dict[bool, str]]] = {
    "google.xml": (google_items, GOOGLE_REQUIRED, {True: "in_stock", False: "out_of_stock"}),
    "meta.csv": (meta_rows, META_REQUIRED, {True: "in stock", False: "out of stock"}),
}


@pytest.mark.parametrize("feed", sorted(FORMATS))
@pytest.mark.parametrize("channel", ["web", "market"])
async def test_feeds_list_the_published_variants_as_the_api_shows_them(
    client: httpx.AsyncClient, gql: GraphQLClient, feed_shop: FeedShop, channel: str, feed: str
) -> None:
    parse, required, words = FORMATS[feed]
    expected = await api_variants(gql, channel)

    response = await get_feed(client, feed_shop, f"/feeds/{channel}/{feed}")

    assert response.status_code == 200
    items = parse(response.text)
    for item in items:
        assert all(item.get(name) for name in required), item
        assert item["condition"] == "new"
    assert {item["id"]: (item["price"], item["availability"]) for item in items} == {
        sku: (_price(variant), words[_available(variant)]) for sku, variant in expected.items()
    }
    assert "HIDDEN-1" not in {item["id"] for item in items}
    assert ("ELSEWHERE-1" in {item["id"] for item in items}) == (channel == "market")


async def test_google_feed_carries_the_channels_texts_escaped_and_links(
    client: httpx.AsyncClient, feed_shop: FeedShop
) -> None:
    response = await get_feed(client, feed_shop, "/feeds/web/google.xml")

    assert response.headers["content-type"].startswith("application/xml")
    items = {item["id"]: item for item in google_items(response.text)}
    tee = items["TEE-S"]
    assert (tee.get("brand"), tee["identifier_exists"]) == (None, "no")
    assert tee["title"] == "Tee & <Friends>"
    assert tee["description"] == 'Soft "cotton" tee'
    assert tee["item_group_id"] == "tee"
    assert tee["link"] == "http://localhost:3000/products/tee?variant=TEE-S"
    assert tee["image_link"] == "https://img.example.com/tee.jpg"
    assert tee["price"] == "12.50 EUR"
    assert (tee["availability"], items["TEE-M"]["availability"]) == ("in_stock", "out_of_stock")


async def test_marketplace_prices_and_buffer_reach_its_feeds(
    client: httpx.AsyncClient, feed_shop: FeedShop
) -> None:
    response = await get_feed(client, feed_shop, "/feeds/market/google.xml")

    items = {item["id"]: item for item in google_items(response.text)}
    # 20.00 with a 10 % commission; the mug's 2 units are the safety buffer.
    assert items["TEE-S"]["price"] == "22.00 EUR"
    assert items["MUG-1"]["availability"] == "out_of_stock"


async def test_meta_feed_is_csv_with_the_catalogs_columns(
    client: httpx.AsyncClient, feed_shop: FeedShop
) -> None:
    response = await get_feed(client, feed_shop, "/feeds/web/meta.csv")

    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == META_HEADER
    rows = {row["id"]: row for row in meta_rows(response.text)}
    assert rows["TEE-S"]["title"] == "Tee & <Friends>"
    assert rows["TEE-S"]["description"] == 'Soft "cotton" tee'
    # No brand in the catalog: the retailer's, the channel's name.
    assert rows["MUG-1"]["brand"] == "Web"


async def test_meta_feed_of_a_channel_selling_nothing_is_its_header(
    client: httpx.AsyncClient, runtime: Runtime, feed_shop: FeedShop
) -> None:
    await make_channel(runtime, slug="empty", currency="EUR")

    response = await get_feed(client, feed_shop, "/feeds/empty/meta.csv")

    assert response.status_code == 200
    assert response.text.splitlines() == [META_HEADER]


async def test_local_inventory_lists_each_pickup_store_supplying_the_channel(
    client: httpx.AsyncClient, gql: GraphQLClient, feed_shop: FeedShop
) -> None:
    body = await gql(STORES, {"channel": "web"})
    shown = {
        variant["sku"]: variant["storeAvailability"]["edges"][0]["node"]
        for product in body["data"]["products"]["nodes"]
        for variant in product["variants"]
    }

    response = await get_feed(client, feed_shop, "/feeds/web/google-local-inventory.xml")

    assert response.status_code == 200
    items = {item["id"]: item for item in google_items(response.text)}
    for item in items.values():
        assert all(item.get(name) for name in LOCAL_REQUIRED), item
        assert item["store_code"] == "city-store"
        assert int(item["quantity"]) == shown[item["id"]]["quantity"]
    assert set(items) == {"TEE-S", "TEE-M", "MUG-1"}
    # On the store's shelves: bought for pick-up today; only in the warehouse: sent there.
    assert (items["TEE-S"]["availability"], items["TEE-S"]["pickup_method"]) == (
        "in_stock",
        "buy",
    )
    assert items["TEE-S"]["pickup_sla"] == "same day"
    assert (items["MUG-1"]["availability"], items["MUG-1"]["pickup_method"]) == (
        "out_of_stock",
        "ship to store",
    )
    assert items["MUG-1"]["pickup_sla"] == "2-day"
    assert "pickup_method" not in items["TEE-M"]
