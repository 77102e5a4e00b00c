from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.runtime import Runtime
from core.staff.model import Scope
from core.staff.services import create_token, revoke_token
from schema.relay import to_global_id
from tests.factories import (
    GraphQLClient,
    bearer,
    make_category,
    make_channel,
    make_product,
    row_counts,
    staff_token,
)

PRODUCT_FIELDS = "id slug name description category { slug } images { url alt }"
VARIANT_FIELDS = "id sku name options { name value } price { amount currency }"

CHANNEL_CREATE = """
mutation ($input: ChannelCreateInput!) {
  channelCreate(input: $input) { channel { slug } errors { field code } }
}
"""
LOCATION_CREATE = """
mutation ($input: LocationCreateInput!) {
  locationCreate(input: $input) { location { id } errors { field code } }
}
"""
CATEGORY_CREATE = """
mutation ($input: CategoryCreateInput!) {
  categoryCreate(input: $input) {
    category { id slug name parent { slug } }
    errors { field code message }
  }
}
"""
CATEGORY_UPDATE = """
mutation ($id: ID!, $input: CategoryUpdateInput!) {
  categoryUpdate(id: $id, input: $input) {
    category { slug parent { slug } }
    errors { field code message }
  }
}
"""
PRODUCT_CREATE = f"""
mutation ($input: ProductCreateInput!) {{
  productCreate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} errors {{ field code message }} }}
}}
"""
PRODUCT_UPDATE = f"""
mutation ($id: ID!, $input: ProductUpdateInput!) {{
  productUpdate(id: $id, input: $input) {{
    product {{ {PRODUCT_FIELDS} variants {{ sku }} }}
    errors {{ field code message }}
  }}
}}
"""
VARIANT_CREATE = f"""
mutation ($input: ProductVariantCreateInput!) {{
  productVariantCreate(input: $input) {{
    productVariant {{ {VARIANT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""
VARIANT_UPDATE = f"""
mutation ($id: ID!, $input: ProductVariantUpdateInput!) {{
  productVariantUpdate(id: $id, input: $input) {{
    productVariant {{ {VARIANT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""
LISTING_SET = """
mutation ($input: ProductListingSetInput!) {
  productListingSet(input: $input) {
    product { id name description }
    errors { field code message }
  }
}
"""
PRICE_SET = f"""
mutation ($input: ProductVariantPriceSetInput!) {{
  productVariantPriceSet(input: $input) {{
    productVariant {{ {VARIANT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""
PRICE_REMOVE = f"""
mutation ($input: ProductVariantPriceRemoveInput!) {{
  productVariantPriceRemove(input: $input) {{
    productVariant {{ {VARIANT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""
PRODUCTS = """
query ($channel: String!, $search: String) {
  products(channel: $channel, filter: {search: $search}) {
    nodes {
      slug name description category { slug }
      variants { sku options { name value } price { amount currency } }
    }
  }
}
"""


@pytest.fixture
async def staff(gql: GraphQLClient, runtime: Runtime) -> GraphQLClient:
    token = await staff_token(runtime, Scope.CATALOG_WRITE, Scope.CHANNELS_WRITE)
    return gql.with_headers(**bearer(token))


def error_pairs(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


def product_id(made_id: int) -> str:
    return to_global_id("Product", made_id)


def variant_id(made_id: int) -> str:
    return to_global_id("ProductVariant", made_id)


async def skus_found(gql: GraphQLClient, channel: str, search: str) -> list[str]:
    body = await gql(PRODUCTS, {"channel": channel, "search": search})
    return [node["slug"] for node in body["data"]["products"]["nodes"]]


async def test_a_catalog_built_through_the_api_reads_back_in_its_channel(
    staff: GraphQLClient,
) -> None:
    channel = await staff(
        CHANNEL_CREATE,
        {"input": {"slug": "eu-web", "name": "EU web", "kind": "WEB", "currency": "EUR"}},
    )
    location = await staff(
        LOCATION_CREATE, {"input": {"slug": "hamburg", "name": "Hamburg", "kind": "WAREHOUSE"}}
    )
    category = await staff(CATEGORY_CREATE, {"input": {"slug": "jackets", "name": "Jackets"}})
    in_eu = staff.with_headers(**{"Omnicart-Channel": "eu-web"})
    product = await in_eu(
        PRODUCT_CREATE,
        {
            "input": {
                "slug": "rain-jacket",
                "name": "Rain Jacket",
                "description": "Waterproof shell",
                "categoryId": category["data"]["categoryCreate"]["category"]["id"],
                "images": [{"url": "https://img.example/rain.jpg", "alt": "Front"}],
            }
        },
    )
    new_product_id = product["data"]["productCreate"]["product"]["id"]
    variant = await in_eu(
        VARIANT_CREATE,
        {
            "input": {
                "productId": new_product_id,
                "sku": "RJ-M-BLUE",
                "name": "M blue",
                "options": [{"name": "Size", "value": "M"}, {"name": "Colour", "value": "Blue"}],
            }
        },
    )
    new_variant_id = variant["data"]["productVariantCreate"]["productVariant"]["id"]
    listing = await staff(
        LISTING_SET,
        {
            "input": {
                "productId": new_product_id,
                "channel": "eu-web",
                "isPublished": True,
                "name": "Regenjacke",
            }
        },
    )
    price = await staff(
        PRICE_SET,
        {
            "input": {
                "variantId": new_variant_id,
                "channel": "eu-web",
                "price": {"amount": "129.90", "currency": "EUR"},
            }
        },
    )

    body = await staff(PRODUCTS, {"channel": "eu-web"})

    assert channel["data"]["channelCreate"]["errors"] == []
    assert location["data"]["locationCreate"]["errors"] == []
    assert product["data"]["productCreate"] == {
        "product": {
            "id": new_product_id,
            "slug": "rain-jacket",
            "name": "Rain Jacket",
            "description": "Waterproof shell",
            "category": {"slug": "jackets"},
            "images": [{"url": "https://img.example/rain.jpg", "alt": "Front"}],
        },
        "errors": [],
    }
    assert variant["data"]["productVariantCreate"]["productVariant"]["price"] is None
    assert listing["data"]["productListingSet"]["product"]["name"] == "Regenjacke"
    assert price["data"]["productVariantPriceSet"]["productVariant"]["price"] == {
        "amount": "129.90",
        "currency": "EUR",
    }
    assert body["data"]["products"]["nodes"] == [
        {
            "slug": "rain-jacket",
            "name": "Regenjacke",
            "description": "Waterproof shell",
            "category": {"slug": "jackets"},
            "variants": [
                {
                    "sku": "RJ-M-BLUE",
                    "options": [
                        {"name": "Size", "value": "M"},
                        {"name": "Colour", "value": "Blue"},
                    ],
                    "price": {"amount": "129.90", "currency": "EUR"},
                }
            ],
        }
    ]


async def test_search_finds_a_product_by_a_new_sku_and_by_a_listing_title(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web, slug="plain-tee", name="Plain Tee")
    await make_product(runtime, channel=web, slug="hoodie", name="Hoodie")

    await staff(
        VARIANT_CREATE, {"input": {"productId": product_id(made.product.id), "sku": "ZX-9"}}
    )
    await staff(
        LISTING_SET,
        {
            "input": {
                "productId": product_id(made.product.id),
                "channel": "web",
                "isPublished": True,
                "name": "Organic Crew",
            }
        },
    )

    assert await skus_found(staff, "web", "ZX-9") == ["plain-tee"]
    assert await skus_found(staff, "web", "organic") == ["plain-tee"]
    assert await skus_found(staff, "web", "plain") == ["plain-tee"]


async def test_catalog_mutations_without_a_token_write_nothing(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web)
    before = await row_counts(runtime)

    responses = [
        await gql(PRODUCT_CREATE, {"input": {"slug": "new", "name": "New"}}),
        await gql(
            PRICE_SET,
            {
                "input": {
                    "variantId": variant_id(made.variants[0].id),
                    "channel": "web",
                    "price": {"amount": "1.00", "currency": "USD"},
                }
            },
        ),
    ]

    for body in responses:
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]
    assert await row_counts(runtime) == before


async def test_a_channels_only_token_cannot_write_the_catalog(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_channel(runtime, slug="web")
    token = await staff_token(runtime, Scope.CHANNELS_WRITE)
    before = await row_counts(runtime)

    body = await gql(CATEGORY_CREATE, {"input": {"slug": "x", "name": "X"}}, headers=bearer(token))

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert await row_counts(runtime) == before


async def test_a_revoked_catalog_token_is_refused(gql: GraphQLClient, runtime: Runtime) -> None:
    await make_channel(runtime, slug="web")
    issued = await create_token(runtime.uow(), name="ex-staff", scopes=["catalog:write"])
    await revoke_token(runtime.uow(), prefix=issued.record.prefix)

    body = await gql(
        PRODUCT_CREATE, {"input": {"slug": "new", "name": "New"}}, headers=bearer(issued.token)
    )

    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]
    assert (await row_counts(runtime))["products"] == 0


async def test_a_bad_product_reports_every_field_and_writes_nothing(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    await make_product(runtime, channel=web, slug="taken")
    before = await row_counts(runtime)

    body = await staff(
        PRODUCT_CREATE,
        {
            "input": {
                "slug": "taken",
                "name": " ",
                "images": [{"url": "https://ok.example/a.jpg"}, {"url": "not a url"}],
            }
        },
    )

    payload = body["data"]["productCreate"]
    assert payload["product"] is None
    assert error_pairs(payload) == [
        (["input", "slug"], "DUPLICATE_SLUG"),
        (["input", "name"], "REQUIRED"),
        (["input", "images", "1", "url"], "INVALID"),
    ]
    assert await row_counts(runtime) == before


@pytest.mark.parametrize(
    ("product_input", "expected"),
    [
        ({"slug": "Rain_Jacket"}, [(["input", "slug"], "INVALID_SLUG")]),
        ({"categoryId": "bogus"}, [(["input", "categoryId"], "INVALID_ID")]),
        ({"categoryId": to_global_id("Product", 1)}, [(["input", "categoryId"], "INVALID_ID")]),
        ({"categoryId": to_global_id("Category", 9999)}, [(["input", "categoryId"], "NOT_FOUND")]),
    ],
)
async def test_a_refused_product_points_at_the_field(
    staff: GraphQLClient,
    runtime: Runtime,
    product_input: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    await make_channel(runtime, slug="web")
    before = await row_counts(runtime)

    body = await staff(PRODUCT_CREATE, {"input": {"slug": "jacket", "name": "J", **product_input}})

    assert error_pairs(body["data"]["productCreate"]) == expected
    assert await row_counts(runtime) == before


async def test_a_product_mutation_in_an_unknown_request_channel_writes_nothing(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    await make_channel(runtime, slug="web")

    body = await staff(
        PRODUCT_CREATE,
        {"input": {"slug": "jacket", "name": "Jacket"}},
        headers={"Omnicart-Channel": "nowhere"},
    )

    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert (await row_counts(runtime))["products"] == 0


async def test_updating_a_product_replaces_its_images_and_keeps_the_rest(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    category = await make_category(runtime, slug="tops")
    made = await make_product(runtime, channel=web, slug="tee", name="Tee", category=category)

    body = await staff(
        PRODUCT_UPDATE,
        {
            "id": product_id(made.product.id),
            "input": {
                "description": "Soft cotton",
                "categoryId": None,
                "images": [{"url": "https://img.example/new.jpg", "alt": "New"}],
            },
        },
    )

    assert body["data"]["productUpdate"] == {
        "product": {
            "id": product_id(made.product.id),
            "slug": "tee",
            "name": "Tee",
            "description": "Soft cotton",
            "category": None,
            "images": [{"url": "https://img.example/new.jpg", "alt": "New"}],
            "variants": [{"sku": "TEE-1"}],
        },
        "errors": [],
    }


async def test_updating_a_product_that_is_not_there_points_at_the_id(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    await make_channel(runtime, slug="web")

    body = await staff(PRODUCT_UPDATE, {"id": product_id(4242), "input": {"name": "Gone"}})

    assert error_pairs(body["data"]["productUpdate"]) == [(["id"], "NOT_FOUND")]


async def test_a_duplicate_sku_is_refused_on_create_and_update(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web, variants=["TAKEN", "OTHER"])
    before = await row_counts(runtime)

    created = await staff(
        VARIANT_CREATE, {"input": {"productId": product_id(made.product.id), "sku": "TAKEN"}}
    )
    updated = await staff(
        VARIANT_UPDATE, {"id": variant_id(made.variants[1].id), "input": {"sku": "TAKEN"}}
    )

    assert error_pairs(created["data"]["productVariantCreate"]) == [
        (["input", "sku"], "DUPLICATE_SKU")
    ]
    assert error_pairs(updated["data"]["productVariantUpdate"]) == [
        (["input", "sku"], "DUPLICATE_SKU")
    ]
    assert await row_counts(runtime) == before


async def test_two_concurrent_creates_of_one_sku_give_one_success(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web)
    variables = {"input": {"productId": product_id(made.product.id), "sku": "RACE-1"}}

    bodies = await asyncio.gather(
        staff(VARIANT_CREATE, variables), staff(VARIANT_CREATE, variables)
    )

    payloads = [body["data"]["productVariantCreate"] for body in bodies]
    successes = [p for p in payloads if p["productVariant"] is not None]
    failures = [p for p in payloads if p["productVariant"] is None]
    assert [p["productVariant"]["sku"] for p in successes] == ["RACE-1"]
    assert [error_pairs(p) for p in failures] == [[(["input", "sku"], "DUPLICATE_SKU")]]
    assert (await row_counts(runtime))["variants"] == 2


async def test_updating_a_variant_shows_its_price_in_the_request_channel(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web, price="4.50")

    body = await staff(
        VARIANT_UPDATE,
        {
            "id": variant_id(made.variants[0].id),
            "input": {"name": "Large", "options": [{"name": "Size", "value": "L"}]},
        },
    )

    assert body["data"]["productVariantUpdate"]["productVariant"] == {
        "id": variant_id(made.variants[0].id),
        "sku": made.variants[0].sku,
        "name": "Large",
        "options": [{"name": "Size", "value": "L"}],
        "price": {"amount": "4.50", "currency": "USD"},
    }


async def test_variant_options_must_have_distinct_names(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web)

    body = await staff(
        VARIANT_CREATE,
        {
            "input": {
                "productId": product_id(made.product.id),
                "sku": "NEW-1",
                "options": [{"name": "Size", "value": "S"}, {"name": "Size", "value": "M"}],
            }
        },
    )

    assert error_pairs(body["data"]["productVariantCreate"]) == [
        (["input", "options", "1", "name"], "DUPLICATE")
    ]


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (
            {"amount": "-1.00", "currency": "USD"},
            [(["input", "price", "amount"], "NEGATIVE_PRICE")],
        ),
        (
            {"amount": "1.00", "currency": "EUR"},
            [(["input", "price", "currency"], "CURRENCY_MISMATCH")],
        ),
        (
            {"amount": "1.00", "currency": "XXX"},
            [(["input", "price", "currency"], "INVALID_CURRENCY")],
        ),
        (
            {"amount": "1.001", "currency": "USD"},
            [(["input", "price", "amount"], "INVALID_AMOUNT")],
        ),
    ],
)
async def test_a_bad_price_is_refused_and_the_old_one_kept(
    staff: GraphQLClient,
    runtime: Runtime,
    price: dict[str, str],
    expected: list[tuple[list[str], str]],
) -> None:
    web = await make_channel(runtime, slug="web", currency="USD")
    made = await make_product(runtime, channel=web, price="2.00")
    variables = {
        "input": {"variantId": variant_id(made.variants[0].id), "channel": "web", "price": price}
    }

    body = await staff(PRICE_SET, variables)
    listing = await staff(PRODUCTS, {"channel": "web"})

    assert error_pairs(body["data"]["productVariantPriceSet"]) == expected
    assert listing["data"]["products"]["nodes"][0]["variants"][0]["price"] == {
        "amount": "2.00",
        "currency": "USD",
    }


@pytest.mark.parametrize(
    ("variant", "channel", "expected"),
    [
        ("nope", "web", [(["input", "variantId"], "INVALID_ID")]),
        (to_global_id("ProductVariant", 777), "web", [(["input", "variantId"], "NOT_FOUND")]),
        (None, "mars", [(["input", "channel"], "UNKNOWN_CHANNEL")]),
    ],
)
async def test_a_price_for_something_unknown_is_refused(
    staff: GraphQLClient,
    runtime: Runtime,
    variant: str | None,
    channel: str,
    expected: list[tuple[list[str], str]],
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web, price=None)
    before = await row_counts(runtime)

    body = await staff(
        PRICE_SET,
        {
            "input": {
                "variantId": variant or variant_id(made.variants[0].id),
                "channel": channel,
                "price": {"amount": "1.00", "currency": "USD"},
            }
        },
    )

    assert error_pairs(body["data"]["productVariantPriceSet"]) == expected
    assert await row_counts(runtime) == before


async def test_removing_a_price_takes_the_variant_off_sale(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web, price="9.99")

    body = await staff(
        PRICE_REMOVE, {"input": {"variantId": variant_id(made.variants[0].id), "channel": "web"}}
    )

    assert body["data"]["productVariantPriceRemove"]["productVariant"]["price"] is None
    assert (await row_counts(runtime))["variant_prices"] == 0


async def test_an_unpublished_listing_hides_the_product(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web)

    body = await staff(
        LISTING_SET,
        {
            "input": {
                "productId": product_id(made.product.id),
                "channel": "web",
                "isPublished": False,
                "description": "Back soon",
            }
        },
    )
    listing = await staff(PRODUCTS, {"channel": "web"})

    assert body["data"]["productListingSet"]["product"]["description"] == "Back soon"
    assert listing["data"]["products"]["nodes"] == []


async def test_a_listing_in_an_unknown_channel_is_refused(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    web = await make_channel(runtime, slug="web")
    made = await make_product(runtime, channel=web)
    before = await row_counts(runtime)

    body = await staff(
        LISTING_SET,
        {"input": {"productId": product_id(made.product.id), "channel": "", "isPublished": True}},
    )

    assert error_pairs(body["data"]["productListingSet"]) == [
        (["input", "channel"], "UNKNOWN_CHANNEL")
    ]
    assert await row_counts(runtime) == before


async def test_a_category_moved_under_its_child_is_a_cycle(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    top = await make_category(runtime, slug="top")
    child = await make_category(runtime, slug="child", parent=top)

    cycle = await staff(
        CATEGORY_UPDATE,
        {
            "id": to_global_id("Category", top.id),
            "input": {"parentId": to_global_id("Category", child.id)},
        },
    )
    moved = await staff(
        CATEGORY_UPDATE, {"id": to_global_id("Category", child.id), "input": {"parentId": None}}
    )

    assert error_pairs(cycle["data"]["categoryUpdate"]) == [
        (["input", "parentId"], "CATEGORY_CYCLE")
    ]
    assert moved["data"]["categoryUpdate"] == {
        "category": {"slug": "child", "parent": None},
        "errors": [],
    }


async def test_a_subcategory_is_created_under_its_parent(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    top = await make_category(runtime, slug="top")

    body = await staff(
        CATEGORY_CREATE,
        {"input": {"slug": "sub", "name": "Sub", "parentId": to_global_id("Category", top.id)}},
    )
    duplicate = await staff(CATEGORY_CREATE, {"input": {"slug": "sub", "name": "Again"}})

    assert body["data"]["categoryCreate"]["category"]["parent"] == {"slug": "top"}
    assert error_pairs(duplicate["data"]["categoryCreate"]) == [
        (["input", "slug"], "DUPLICATE_SLUG")
    ]
