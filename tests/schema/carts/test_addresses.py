"""Cart addresses through GraphQL (issue 13): cartShippingAddressSet, cartBillingAddressSet,
Cart.shippingAddress and Cart.billingAddress."""

from __future__ import annotations

from typing import Any

from core.runtime import Runtime
from tests.factories import GraphQLClient, create, make_shop, row_counts

ADDRESS = "firstName lastName company line1 line2 postalCode city countryCode phone"
CART = f"""
  token version
  shippingAddress {{ {ADDRESS} }}
  billingAddress {{ {ADDRESS} }}
"""
SHIPPING = f"""
mutation ($token: String!, $address: MailingAddressInput, $version: Int, $key: String) {{
  cartShippingAddressSet(
    token: $token, address: $address, expectedVersion: $version, idempotencyKey: $key
  ) {{
    cart {{ {CART} }}
    errors {{ field code message }}
    replayed
  }}
}}
"""
BILLING = SHIPPING.replace("cartShippingAddressSet", "cartBillingAddressSet")
READ = f"query ($token: String!) {{ cart(token: $token) {{ {CART} }} }}"

HOME = {
    "firstName": "Ann",
    "lastName": "Lee",
    "line1": " 1 Main St ",
    "postalCode": "94105",
    "city": "San Francisco",
    "countryCode": "us",
    "phone": "+1 (415) 555-0199",
}
STORED_HOME = {
    "firstName": "Ann",
    "lastName": "Lee",
    "company": None,
    "line1": "1 Main St",
    "line2": None,
    "postalCode": "94105",
    "city": "San Francisco",
    "countryCode": "US",
    "phone": "+1 (415) 555-0199",
}
KEY = "1b6e4f0a-93c2-4d7e-8f15-2a3b4c5d6e7f"


async def set_address(
    gql: GraphQLClient, mutation: str, variables: dict[str, Any]
) -> dict[str, Any]:
    body = await gql(mutation, variables)
    assert "errors" not in body, body
    name = "cartShippingAddressSet" if mutation is SHIPPING else "cartBillingAddressSet"
    payload: dict[str, Any] = body["data"][name]
    return payload


async def test_addresses_are_set_read_on_any_device_and_cleared(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    token = (await create(gql, shop, 1))["token"]

    shipped = await set_address(gql, SHIPPING, {"token": token, "address": HOME})
    billed = await set_address(
        gql, BILLING, {"token": token, "address": HOME | {"company": "Lee Inc."}, "version": 2}
    )

    assert shipped["errors"] == [] and not shipped["replayed"]
    assert shipped["cart"]["shippingAddress"] == STORED_HOME
    assert shipped["cart"]["billingAddress"] is None
    assert billed["errors"] == []
    assert billed["cart"]["version"] == 3
    assert billed["cart"]["billingAddress"] == STORED_HOME | {"company": "Lee Inc."}
    read = (await gql(READ, {"token": token}))["data"]["cart"]
    assert read == billed["cart"]
    cleared = await set_address(gql, SHIPPING, {"token": token, "address": None})
    assert cleared["errors"] == []
    assert cleared["cart"]["shippingAddress"] is None
    assert cleared["cart"]["billingAddress"] == billed["cart"]["billingAddress"]


async def test_invalid_fields_come_back_on_their_paths_and_change_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    token = (await create(gql, shop, 1))["token"]
    before = await row_counts(runtime)

    refused = await set_address(
        gql,
        BILLING,
        {
            "token": token,
            "address": {
                "lastName": "Lee",
                "line1": "1 Main St",
                "postalCode": "94105#",
                "city": "  ",
                "countryCode": "USA",
                "phone": "call me",
            },
        },
    )

    assert sorted((error["code"], error["field"]) for error in refused["errors"]) == [
        ("INVALID_COUNTRY_CODE", ["address", "countryCode"]),
        ("INVALID_PHONE", ["address", "phone"]),
        ("INVALID_POSTAL_CODE", ["address", "postalCode"]),
        ("REQUIRED", ["address", "city"]),
        ("REQUIRED", ["address", "firstName"]),
    ]
    assert refused["cart"]["version"] == 1
    assert refused["cart"]["billingAddress"] is None
    assert await row_counts(runtime) == before


async def test_a_retry_is_replayed_and_a_stale_version_is_refused(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    token = (await create(gql, shop, 1))["token"]
    first = await set_address(gql, SHIPPING, {"token": token, "address": HOME, "key": KEY})

    again = await set_address(gql, SHIPPING, {"token": token, "address": HOME, "key": KEY})
    other = await set_address(
        gql, SHIPPING, {"token": token, "address": HOME | {"city": "Oakland"}, "key": KEY}
    )
    stale = await set_address(
        gql, BILLING, {"token": token, "address": HOME, "version": first["cart"]["version"] - 1}
    )

    assert again["replayed"] and again["cart"] == first["cart"]
    assert [(e["code"], e["field"]) for e in other["errors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["idempotencyKey"])
    ]
    assert [(e["code"], e["field"]) for e in stale["errors"]] == [
        ("CART_VERSION_CONFLICT", ["expectedVersion"])
    ]
    assert stale["cart"] == first["cart"]
