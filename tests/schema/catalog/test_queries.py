"""Catalog reads through HTTP: visibility, overrides, prices, paging, search, node."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.catalog.import_data import (
    CatalogData,
    CategoryData,
    ChannelData,
    ListingData,
    ProductData,
    VariantData,
)
from core.catalog.importer import import_catalog
from core.channels.model import ChannelKind
from core.money import Money
from core.runtime import Runtime
from tests.factories import GraphQLClient, StatementCounter

WEB = ChannelData("web", "Web", ChannelKind.WEB, "PLN")
SHOP = ChannelData("shop", "Shop", ChannelKind.STORE, "PLN")
JAPAN = ChannelData("japan", "Japan", ChannelKind.WEB, "JPY")
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def product(
    index: int,
    *,
    name: str | None = None,
    description: str = "",
    category: str | None = None,
    price: int | None = None,
    listings: dict[str, ListingData] | None = None,
    variants: int = 1,
    images: int = 0,
) -> ProductData:
    """Product ``p<index>`` with SKUs ``P<index>-<j>`` priced in web (and japan if listed)."""
    base = 1000 + index if price is None else price
    listed = listings if listings is not None else {"web": ListingData(True)}
    return ProductData(
        slug=f"p{index}",
        name=name or f"Product {index:03d}",
        description=description,
        category_slug=category,
        created_at=BASE_TIME + timedelta(hours=index),
        images=[(f"https://img.example/p{index}-{k}.jpg", f"view {k}") for k in range(images)],
        variants=[
            VariantData(
                sku=f"P{index}-{j}",
                options=[("Colour", "Black"), ("Size", f"S{j}")],
                prices={
                    slug: Money(base + j, "JPY" if slug == "japan" else "PLN") for slug in listed
                },
            )
            for j in range(variants)
        ],
        listings=listed,
    )


async def given(
    runtime: Runtime,
    *products: ProductData,
    categories: tuple[CategoryData, ...] = (),
    channels: tuple[ChannelData, ...] = (WEB, SHOP, JAPAN),
) -> None:
    await import_catalog(
        runtime.uow(),
        CatalogData(channels=channels, categories=categories, products=products),
    )


def names(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in body["data"]["products"]["edges"]]


LISTING = """
query Listing($channel: String, $first: Int, $after: String, $sort: ProductSortInput,
              $filter: ProductFilterInput) {
  products(channel: $channel, first: $first, after: $after, sort: $sort, filter: $filter) {
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


async def test_only_products_published_in_the_channel_are_listed(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(
        runtime,
        product(1, listings={"web": ListingData(True), "shop": ListingData(False)}),
        product(2, listings={"shop": ListingData(True)}),
        product(3, listings={"web": ListingData(True), "shop": ListingData(True)}),
    )

    web = await gql(LISTING, {"channel": "web"})
    shop = await gql(LISTING, {"channel": "shop"})

    assert names(web) == ["Product 001", "Product 003"]
    assert names(shop) == ["Product 002", "Product 003"]


async def test_a_channel_override_replaces_the_name_and_description(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(
        runtime,
        product(
            1,
            name="Rain jacket",
            description="Keeps you dry.",
            listings={
                "web": ListingData(True),
                "shop": ListingData(True, name="Kurtka", description="Sucha."),
            },
        ),
    )
    query = '{ product(slug: "p1", channel: "%s") { name description } }'

    web = await gql(query % "web")
    shop = await gql(query % "shop")

    assert web["data"]["product"] == {"name": "Rain jacket", "description": "Keeps you dry."}
    assert shop["data"]["product"] == {"name": "Kurtka", "description": "Sucha."}


async def test_a_product_not_published_in_the_channel_is_null(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(runtime, product(1, listings={"web": ListingData(True)}))

    body = await gql('{ product(slug: "p1", channel: "shop") { name } }')

    assert body == {"data": {"product": None}}


async def test_prices_are_exact_decimal_strings_in_the_channel_currency(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(
        runtime,
        product(1, price=3501, listings={"web": ListingData(True), "japan": ListingData(True)}),
    )
    query = '{ product(slug: "p1", channel: "%s") { variants { price { amount currency } } } }'

    web = await gql(query % "web")
    japan = await gql(query % "japan")

    assert web["data"]["product"]["variants"][0]["price"] == {"amount": "35.01", "currency": "PLN"}
    assert japan["data"]["product"]["variants"][0]["price"] == {"amount": "3501", "currency": "JPY"}


async def test_the_channel_comes_from_the_header_when_no_argument_is_given(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(
        runtime,
        product(1, listings={"web": ListingData(True)}),
        product(2, listings={"shop": ListingData(True)}),
    )

    by_header = await gql(LISTING, headers={"Omnicart-Channel": "shop"})
    by_default = await gql(LISTING)
    argument_wins = await gql(LISTING, {"channel": "web"}, headers={"Omnicart-Channel": "shop"})

    assert names(by_header) == ["Product 002"]
    assert names(by_default) == ["Product 001"]
    assert names(argument_wins) == ["Product 001"]


async def test_variants_carry_their_options_in_order(runtime: Runtime, gql: GraphQLClient) -> None:
    await given(runtime, product(1, variants=2))

    body = await gql('{ product(slug: "p1") { variants { sku options { name value } } } }')

    assert body["data"]["product"]["variants"] == [
        {
            "sku": "P1-0",
            "options": [{"name": "Colour", "value": "Black"}, {"name": "Size", "value": "S0"}],
        },
        {
            "sku": "P1-1",
            "options": [{"name": "Colour", "value": "Black"}, {"name": "Size", "value": "S1"}],
        },
    ]


async def _all_pages(gql: GraphQLClient, variables: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(50):
        body = await gql(LISTING, {**variables, "first": 3, "after": after})
        assert "errors" not in body, body
        seen.extend(names(body))
        page = body["data"]["products"]["pageInfo"]
        assert page["hasPreviousPage"] == (after is not None)
        if not page["hasNextPage"]:
            return seen
        after = page["endCursor"]
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("key", ["NAME", "PRICE", "CREATED_AT"])
@pytest.mark.parametrize("reverse", [False, True])
async def test_paging_visits_every_product_once_in_sort_order(
    runtime: Runtime, gql: GraphQLClient, key: str, reverse: bool
) -> None:
    # Names, prices and creation times disagree on order, and prices tie in pairs.
    await given(
        runtime,
        *[product(i, name=f"Item {(i * 7) % 10}", price=2000 - (i // 2) * 10) for i in range(10)],
    )

    seen = await _all_pages(gql, {"sort": {"key": key, "reverse": reverse}})

    full = await gql(LISTING, {"first": 100, "sort": {"key": key, "reverse": reverse}})
    assert seen == names(full)
    assert sorted(seen) == sorted(f"Item {(i * 7) % 10}" for i in range(10))


async def test_price_sort_orders_by_the_cheapest_variant_in_the_channel(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(runtime, product(1, price=500), product(2, price=300), product(3, price=900))

    body = await gql(LISTING, {"sort": {"key": "PRICE"}})

    assert names(body) == ["Product 002", "Product 001", "Product 003"]


async def test_a_cursor_from_another_sort_is_refused(runtime: Runtime, gql: GraphQLClient) -> None:
    await given(runtime, product(1), product(2))
    first = await gql(LISTING, {"first": 1, "sort": {"key": "NAME"}})
    cursor = first["data"]["products"]["pageInfo"]["endCursor"]

    body = await gql(LISTING, {"first": 1, "after": cursor, "sort": {"key": "PRICE"}})

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_garbled_cursor_is_refused(gql: GraphQLClient) -> None:
    body = await gql(LISTING, {"after": "not-a-cursor!"})

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_first_above_the_maximum_page_size_is_refused(gql: GraphQLClient) -> None:
    body = await gql(LISTING, {"first": 101})

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_search_ranks_name_matches_above_description_matches(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(
        runtime,
        product(1, name="Blue shirt", description="Goes well with a wool jacket."),
        product(2, name="Wool jacket", description="Warm."),
        product(3, name="Socks", description="Cotton."),
    )

    body = await gql(LISTING, {"filter": {"search": "wool jacket"}})

    assert names(body) == ["Wool jacket", "Blue shirt"]


async def test_search_matches_prefixes_and_skus(runtime: Runtime, gql: GraphQLClient) -> None:
    await given(runtime, product(1, name="Jacket"), product(22, name="Shirt"))

    by_prefix = await gql(LISTING, {"filter": {"search": "jack"}})
    by_sku = await gql(LISTING, {"filter": {"search": "P22-0"}})

    assert names(by_prefix) == ["Jacket"]
    assert names(by_sku) == ["Shirt"]


async def test_search_text_without_words_finds_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(runtime, product(1))

    body = await gql(LISTING, {"filter": {"search": "*:& !()'"}})

    assert names(body) == []


async def test_search_results_page_by_relevance(runtime: Runtime, gql: GraphQLClient) -> None:
    await given(runtime, *[product(i, name=f"Coat {i}") for i in range(7)])

    seen = await _all_pages(gql, {"filter": {"search": "coat"}})

    assert sorted(seen) == sorted(f"Coat {i}" for i in range(7))
    assert len(set(seen)) == 7


async def test_a_category_filter_includes_subcategories(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(
        runtime,
        product(1, category="men"),
        product(2, category="jackets"),
        product(3, category="women"),
        categories=(
            CategoryData("men", "Men"),
            CategoryData("jackets", "Jackets", parent_slug="men"),
            CategoryData("women", "Women"),
        ),
    )
    tree = await gql("{ categories { id slug children { slug } } }")
    men = next(c for c in tree["data"]["categories"] if c["slug"] == "men")

    body = await gql(LISTING, {"filter": {"category": men["id"]}})

    assert men["children"] == [{"slug": "jackets"}]
    assert names(body) == ["Product 001", "Product 002"]


async def test_node_finds_products_variants_and_categories_by_global_id(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(runtime, product(1, category="men"), categories=(CategoryData("men", "Men"),))
    ids = await gql('{ product(slug: "p1") { id category { id } variants { id } } }')
    found = ids["data"]["product"]

    body = await gql(
        """query($p: ID!, $v: ID!, $c: ID!) {
          p: node(id: $p) { ... on Product { name } }
          v: node(id: $v) { ... on ProductVariant { sku price { amount } product { slug } } }
          c: node(id: $c) { ... on Category { name } }
        }""",
        {"p": found["id"], "v": found["variants"][0]["id"], "c": found["category"]["id"]},
    )

    assert body["data"] == {
        "p": {"name": "Product 001"},
        "v": {"sku": "P1-0", "price": {"amount": "10.01"}, "product": {"slug": "p1"}},
        "c": {"name": "Men"},
    }


async def test_node_with_a_malformed_id_is_a_coded_error(gql: GraphQLClient) -> None:
    body = await gql('{ node(id: "garbage") { id } }')

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_total_count_counts_the_filtered_products(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(runtime, *[product(i) for i in range(5)])

    body = await gql("{ products(first: 2) { totalCount nodes { name } } }")

    assert body["data"]["products"]["totalCount"] == 5
    assert len(body["data"]["products"]["nodes"]) == 2


FULL_LISTING = """
query($first: Int!) {
  products(first: $first) {
    edges { cursor node {
      id name slug description
      category { name }
      images { url alt }
      variants { id sku options { name value } price { amount currency } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_listing_statements_do_not_grow_with_page_size(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    await given(
        runtime,
        *[product(i, category="men", variants=4, images=2) for i in range(120)],
        categories=(CategoryData("men", "Men"),),
    )

    count_statements.reset()
    small = await gql(FULL_LISTING, {"first": 20})
    statements_for_20 = count_statements.count
    count_statements.reset()
    large = await gql(FULL_LISTING, {"first": 100})
    statements_for_100 = count_statements.count

    assert len(small["data"]["products"]["edges"]) == 20
    assert len(large["data"]["products"]["edges"]) == 100
    assert all(len(e["node"]["variants"]) == 4 for e in large["data"]["products"]["edges"])
    assert statements_for_20 == statements_for_100
    # channel, products, variants with prices, images, categories: every one counted
    assert statements_for_100 == 5


async def test_node_lookups_batch_their_relations(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    await given(runtime, *[product(i, variants=3, images=1) for i in range(10)])
    listing = await gql("{ products(first: 10) { nodes { id } } }")
    ids = [node["id"] for node in listing["data"]["products"]["nodes"]]
    selection = "... on Product { variants { sku price { amount } } images { url } }"
    aliases = " ".join(f'n{i}: node(id: "{id_}") {{ {selection} }}' for i, id_ in enumerate(ids))

    count_statements.reset()
    body = await gql(f"{{ {aliases} }}")

    assert "errors" not in body
    assert all(len(body["data"][f"n{i}"]["variants"]) == 3 for i in range(10))
    # channel + products + variants + images, whatever the number of nodes
    assert count_statements.count <= 4


PRODUCT_PAGE = """
query ($slug: String!) {
  product(slug: $slug, channel: "web") {
    slug variants { sku price { amount } availability { status } }
  }
}
"""


async def test_a_product_page_reads_the_product_and_its_variants_in_one_statement(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    await given(runtime, product(1, variants=3), product(2, variants=2))
    await gql(PRODUCT_PAGE, {"slug": "p2"})  # warm-up

    count_statements.reset()
    body = await gql(PRODUCT_PAGE, {"slug": "p1"})

    page = body["data"]["product"]
    assert page["slug"] == "p1"
    assert [v["sku"] for v in page["variants"]] == ["P1-0", "P1-1", "P1-2"]
    assert [v["price"]["amount"] for v in page["variants"]] == ["10.01", "10.02", "10.03"]
    assert {v["availability"]["status"] for v in page["variants"]} == {"OUT_OF_STOCK"}
    # The channel (the tests' runtime caches no channel), then the product with its
    # variants, their prices and stock.
    assert count_statements.count == 2, count_statements.statements


FRAGMENTED = """
query ($slug: String!) {
  product(slug: $slug, channel: "web") { ...Page }
  products(first: 5, channel: "web") {
    edges { node { ... on Product { slug items: variants { ...Variant } } } }
  }
}
fragment Page on Product { slug variants { ...Variant } }
fragment Variant on ProductVariant { sku cost: price { amount } availability { status } }
"""
PLAIN = """
query ($slug: String!) {
  product(slug: $slug, channel: "web") {
    slug variants { sku cost: price { amount } availability { status } }
  }
  products(first: 5, channel: "web") {
    edges { node { slug items: variants { sku cost: price { amount } availability { status } } } }
  }
}
"""


async def test_what_fragments_and_aliases_select_is_read_with_the_products(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    await given(runtime, product(1, variants=2), product(2, variants=1))
    bare = await gql('{ product(slug: "p1", channel: "web") { slug } }')
    assert bare["data"]["product"] == {"slug": "p1"}
    await gql(PLAIN, {"slug": "p2"})  # warm-up
    count_statements.reset()
    plain = await gql(PLAIN, {"slug": "p1"})
    plain_statements = count_statements.count

    # The second request of the document uses the paths kept from the first.
    for slug in ("p2", "p1"):
        count_statements.reset()
        body = await gql(FRAGMENTED, {"slug": slug})

        assert "errors" not in body
        # Variants, prices and stock come with the products, as when written out.
        assert count_statements.count == plain_statements
    assert body == plain
    page = body["data"]["product"]
    assert [v["sku"] for v in page["variants"]] == ["P1-0", "P1-1"]
    listing = {e["node"]["slug"]: e["node"]["items"] for e in body["data"]["products"]["edges"]}
    assert [v["cost"]["amount"] for v in listing["p1"]] == ["10.01", "10.02"]
    assert [v["availability"]["status"] for v in listing["p2"]] == ["OUT_OF_STOCK"]


async def test_a_product_without_variants_shows_an_empty_list(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await given(runtime, product(1, variants=0))

    body = await gql(PRODUCT_PAGE, {"slug": "p1"})

    assert body["data"]["product"] == {"slug": "p1", "variants": []}
