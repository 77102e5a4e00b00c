"""ETag and Last-Modified: a reader's copy stays good until stock or prices change."""

from __future__ import annotations

from datetime import timedelta

import httpx

from core.clock import FrozenClock
from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import GraphQLClient, bearer, staff_token
from tests.schema.feeds.conftest import FeedShop, get_feed, google_items

STOCK_SET = """
mutation ($input: StockSetInput!) { stockSet(input: $input) { errors { code } } }
"""


async def _set_stock(
    gql: GraphQLClient, runtime: Runtime, shop: FeedShop, sku: str, quantity: int
) -> list[object]:
    """Count ``sku`` at the warehouse through the API (stockSet); the payload's errors."""
    variables = {
        "input": {
            "variantId": to_global_id("ProductVariant", shop.variants[sku]),
            "locationId": to_global_id("Location", shop.warehouse.id),
            "quantity": quantity,
            "reason": "count",
        }
    }
    body = await gql(STOCK_SET, variables, headers=bearer(await staff_token(runtime)))
    errors: list[object] = body["data"]["stockSet"]["errors"]
    return errors


PRICE_SET = """
mutation ($input: ProductVariantPriceSetInput!) {
  productVariantPriceSet(input: $input) { errors { code } }
}
"""


async def test_an_unchanged_feed_answers_304_to_its_etag(
    client: httpx.AsyncClient, feed_shop: FeedShop
) -> None:
    first = await get_feed(client, feed_shop, "/feeds/web/google.xml")

    again = await get_feed(client, feed_shop, "/feeds/web/google.xml")
    cached = await get_feed(
        client, feed_shop, "/feeds/web/google.xml", **{"If-None-Match": first.headers["etag"]}
    )
    since = await get_feed(
        client,
        feed_shop,
        "/feeds/web/google.xml",
        **{"If-Modified-Since": first.headers["last-modified"]},
    )

    assert again.headers["etag"] == first.headers["etag"]
    assert (cached.status_code, cached.content) == (304, b"")
    assert cached.headers["etag"] == first.headers["etag"]
    assert (since.status_code, since.content) == (304, b"")


async def test_each_feed_has_its_own_etag(client: httpx.AsyncClient, feed_shop: FeedShop) -> None:
    google = await get_feed(client, feed_shop, "/feeds/web/google.xml")

    meta = await get_feed(
        client, feed_shop, "/feeds/web/meta.csv", **{"If-None-Match": google.headers["etag"]}
    )

    assert meta.status_code == 200
    assert meta.headers["etag"] != google.headers["etag"]


async def test_a_stock_change_changes_availability_and_the_etag(
    client: httpx.AsyncClient,
    gql: GraphQLClient,
    runtime: Runtime,
    feed_shop: FeedShop,
    clock: FrozenClock,
) -> None:
    before = await get_feed(client, feed_shop, "/feeds/web/google.xml")
    clock.advance(timedelta(minutes=5))

    errors = await _set_stock(gql, runtime, feed_shop, "MUG-1", 0)
    after = await get_feed(
        client, feed_shop, "/feeds/web/google.xml", **{"If-None-Match": before.headers["etag"]}
    )

    assert errors == []
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["last-modified"] != before.headers["last-modified"]
    items = {item["id"]: item["availability"] for item in google_items(after.text)}
    assert items["MUG-1"] == "out_of_stock"


async def test_a_price_change_changes_the_etag_even_within_the_same_second(
    client: httpx.AsyncClient, gql: GraphQLClient, runtime: Runtime, feed_shop: FeedShop
) -> None:
    before = await get_feed(client, feed_shop, "/feeds/web/meta.csv")
    staff = await staff_token(runtime)

    body = await gql(
        PRICE_SET,
        {
            "input": {
                "variantId": to_global_id("ProductVariant", feed_shop.variants["MUG-1"]),
                "channel": "web",
                "price": {"amount": "6.00", "currency": "EUR"},
            }
        },
        headers=bearer(staff),
    )
    after = await get_feed(
        client, feed_shop, "/feeds/web/meta.csv", **{"If-None-Match": before.headers["etag"]}
    )

    assert body["data"]["productVariantPriceSet"]["errors"] == []
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert "6.00 EUR" in after.text


async def test_a_change_to_an_unpublished_product_keeps_the_etag(
    client: httpx.AsyncClient, gql: GraphQLClient, runtime: Runtime, feed_shop: FeedShop
) -> None:
    before = await get_feed(client, feed_shop, "/feeds/web/google.xml")

    errors = await _set_stock(gql, runtime, feed_shop, "HIDDEN-1", 1)
    after = await get_feed(
        client, feed_shop, "/feeds/web/google.xml", **{"If-None-Match": before.headers["etag"]}
    )

    assert errors == []
    assert after.status_code == 304
