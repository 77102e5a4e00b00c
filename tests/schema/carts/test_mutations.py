"""Cart mutations and queries through GraphQL: whole carts back, errors, nothing half-done."""

from __future__ import annotations

from typing import Any

from core.channels.model import EnabledPlugin
from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import (
    ADD,
    CART,
    CREATE,
    READ,
    GraphQLClient,
    availability,
    create,
    make_shop,
    make_store,
    row_counts,
    variant_gid,
)

UPDATE = f"""
mutation ($token: String!, $lines: [CartLineUpdateInput!]!) {{
  cartLinesUpdate(token: $token, lines: $lines) {{
    cart {{ {CART} }}
    errors {{ field code message }}
  }}
}}
"""

REMOVE = f"""
mutation ($token: String!, $ids: [ID!]!) {{
  cartLinesRemove(token: $token, lineIds: $ids) {{
    cart {{ {CART} }}
    errors {{ field code message }}
  }}
}}
"""

EMAIL = f"""
mutation ($token: String!, $email: String!) {{
  cartEmailUpdate(token: $token, email: $email) {{
    cart {{ {CART} }}
    errors {{ field code message }}
  }}
}}
"""


async def test_create_add_update_remove_through_graphql(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=10)

    cart = await create(gql, shop, 2)
    token = cart["token"]
    assert cart["version"] == 1 and cart["status"] == "ACTIVE"
    assert cart["channel"] == {"slug": "web", "currency": "USD"}
    assert cart["totalQuantity"] == 2
    (line,) = cart["lines"]
    assert line["quantity"] == 2
    assert line["variant"]["sku"] == "WEB-TEE-1"
    assert line["cost"]["amountPerQuantity"] == {"amount": "10.00", "currency": "USD"}
    assert line["cost"]["totalAmount"] == {"amount": "20.00", "currency": "USD"}
    assert cart["cost"]["subtotalAmount"] == {"amount": "20.00", "currency": "USD"}
    assert cart["cost"]["totalAmount"] == {"amount": "20.00", "currency": "USD"}
    assert cart["problems"] == []

    added = (
        await gql(ADD, {"token": token, "lines": [{"variantId": variant_gid(shop), "quantity": 3}]})
    )["data"]["cartLinesAdd"]
    assert added["errors"] == []
    assert added["cart"]["version"] == 2
    assert [li["quantity"] for li in added["cart"]["lines"]] == [5]
    assert added["cart"]["cost"]["totalAmount"]["amount"] == "50.00"
    assert (await availability(runtime, shop)).quantity == 5

    updated = (
        await gql(UPDATE, {"token": token, "lines": [{"lineId": line["id"], "quantity": 1}]})
    )["data"]["cartLinesUpdate"]
    assert updated["errors"] == []
    assert [li["quantity"] for li in updated["cart"]["lines"]] == [1]
    assert (await availability(runtime, shop)).quantity == 9

    emailed = (await gql(EMAIL, {"token": token, "email": "ann@example.com"}))["data"][
        "cartEmailUpdate"
    ]
    assert emailed["cart"]["email"] == "ann@example.com"

    removed = (await gql(REMOVE, {"token": token, "ids": [line["id"]]}))["data"]["cartLinesRemove"]
    assert removed["errors"] == []
    assert removed["cart"]["lines"] == [] and removed["cart"]["totalQuantity"] == 0
    assert removed["cart"]["cost"]["totalAmount"] == {"amount": "0.00", "currency": "USD"}
    assert removed["cart"]["version"] == 5
    assert (await availability(runtime, shop)).quantity == 10

    read = (await gql(READ, {"token": token}))["data"]["cart"]
    assert read == removed["cart"] | {"email": "ann@example.com"}


async def test_errors_come_with_the_current_cart_and_change_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=3)
    cart = await create(gql, shop, 1)
    token = cart["token"]
    before = await row_counts(runtime)

    cases: list[tuple[dict[str, Any], list[str], str]] = [
        (
            {"lines": [{"variantId": variant_gid(shop), "quantity": 0}]},
            ["lines", "0", "quantity"],
            "INVALID_QUANTITY",
        ),
        (
            {"lines": [{"variantId": "nonsense", "quantity": 1}]},
            ["lines", "0", "variantId"],
            "INVALID_ID",
        ),
        (
            {"lines": [{"variantId": to_global_id("ProductVariant", 987654), "quantity": 1}]},
            ["lines", "0", "variantId"],
            "UNKNOWN_VARIANT",
        ),
        (
            {"lines": [{"variantId": variant_gid(shop), "quantity": 5}]},
            ["lines", "0", "quantity"],
            "INSUFFICIENT_STOCK",
        ),
        (
            {"lines": [{"variantId": variant_gid(shop), "quantity": 1}], "version": 7},
            ["expectedVersion"],
            "CART_VERSION_CONFLICT",
        ),
    ]
    for variables, field, code in cases:
        body = await gql(ADD, {"token": token, **variables})
        payload = body["data"]["cartLinesAdd"]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], payload
        assert payload["cart"]["version"] == 1
        assert [li["quantity"] for li in payload["cart"]["lines"]] == [1]

    wrong = (await gql(ADD, {"token": "not-a-token", "lines": []}))["data"]["cartLinesAdd"]
    assert wrong["cart"] is None
    assert ("INVALID_CART_TOKEN", ["token"]) in [(e["code"], e["field"]) for e in wrong["errors"]]
    unknown = (
        await gql(
            ADD,
            {
                "token": "omct_" + "x" * 43,
                "lines": [{"variantId": variant_gid(shop), "quantity": 1}],
            },
        )
    )["data"]["cartLinesAdd"]
    assert unknown["cart"] is None
    assert [e["code"] for e in unknown["errors"]] == ["CART_NOT_FOUND"]

    assert await row_counts(runtime) == before


async def test_an_unknown_channel_or_variant_creates_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=3)
    before = await row_counts(runtime)

    body = await gql(CREATE, {"input": {"channel": "nowhere"}})
    assert body["data"]["cartCreate"]["errors"] == [
        {
            "field": ["input", "channel"],
            "code": "UNKNOWN_CHANNEL",
            "message": "There is no channel 'nowhere'",
        }
    ]
    body = await gql(
        CREATE,
        {
            "input": {
                "channel": "web",
                "email": "not an email",
                "lines": [{"variantId": variant_gid(shop), "quantity": 4}],
            }
        },
    )
    codes = {e["code"] for e in body["data"]["cartCreate"]["errors"]}
    assert codes == {"INVALID_EMAIL"}
    body = await gql(
        CREATE,
        {"input": {"channel": "web", "lines": [{"variantId": variant_gid(shop), "quantity": 4}]}},
    )
    assert [e["code"] for e in body["data"]["cartCreate"]["errors"]] == ["INSUFFICIENT_STOCK"]

    assert await row_counts(runtime) == before


async def test_a_retried_add_returns_the_cart_and_applies_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    token = (await create(gql, shop))["token"]
    variables = {
        "token": token,
        "lines": [{"variantId": variant_gid(shop), "quantity": 2}],
        "key": "retry-0f6d2c1e-9b1b-4a59",
    }

    first = (await gql(ADD, variables))["data"]["cartLinesAdd"]
    again = (await gql(ADD, variables))["data"]["cartLinesAdd"]

    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["cart"] == first["cart"]
    assert (await availability(runtime, shop)).quantity == 8


async def test_a_malformed_token_is_bad_input_and_an_unknown_one_is_null(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await make_shop(runtime, warehouse=1)
    body = await gql(READ, {"token": "abc"})
    assert body["data"] is None or body["data"]["cart"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql(READ, {"token": "omct_" + "y" * 43})
    assert body == {"data": {"cart": None}}


RESUME = f"""
mutation ($token: String!, $channel: String!) {{
  cartResume(token: $token, channel: $channel) {{
    cart {{ {CART} }}
    unavailableLines {{ lineId code quantity availableQuantity }}
    errors {{ field code message }}
  }}
}}
"""


async def test_resume_on_another_channel_reports_what_it_cannot_sell(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    other = await make_shop(runtime, warehouse=5, slug="mobile")
    cart = await create(gql, shop, 2)

    body = await gql(RESUME, {"token": cart["token"], "channel": "mobile"})

    payload = body["data"]["cartResume"]
    assert payload["errors"] == []
    assert payload["cart"]["channel"]["slug"] == "mobile"
    assert payload["cart"]["version"] == 2
    (line,) = payload["cart"]["lines"]
    assert line["cost"] is None and line["variant"] is None
    assert payload["unavailableLines"] == [
        {"lineId": line["id"], "code": "NOT_SOLD_IN_CHANNEL", "quantity": 2, "availableQuantity": 0}
    ]
    assert [p["code"] for p in payload["cart"]["problems"]] == ["NOT_SOLD_IN_CHANNEL"]
    assert (await availability(runtime, shop)).quantity == 10
    assert (await availability(runtime, other)).quantity == 5

    unknown = (await gql(RESUME, {"token": cart["token"], "channel": "nowhere"}))["data"]
    assert [e["code"] for e in unknown["cartResume"]["errors"]] == ["UNKNOWN_CHANNEL"]
    assert unknown["cartResume"]["cart"]["version"] == 2


async def test_totals_carry_each_plugins_adjustments_in_the_channel_currency(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    app = await make_shop(
        runtime,
        warehouse=10,
        slug="app",
        plugins=[EnabledPlugin("mobile", {"app_discount_basis_points": 1000})],
    )

    cart = await create(gql, app, 3)

    (line,) = cart["lines"]
    assert line["cost"]["amountPerQuantity"] == {"amount": "9.00", "currency": "USD"}
    assert line["cost"]["subtotalAmount"] == {"amount": "30.00"}
    assert line["cost"]["totalAmount"] == {"amount": "27.00", "currency": "USD"}
    assert cart["cost"] == {
        "subtotalAmount": {"amount": "30.00", "currency": "USD"},
        "totalAmount": {"amount": "27.00", "currency": "USD"},
        "adjustments": [
            {
                "label": "App discount",
                "plugin": "mobile",
                "amount": {"amount": "-3.00", "currency": "USD"},
            }
        ],
    }


async def test_a_refused_quantity_names_the_requests_line(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    store = await make_store(runtime, variants=2, stock=10)
    first_id, second_id = (to_global_id("ProductVariant", v) for v in store.variants)

    def lines(*quantities: tuple[str, int]) -> list[dict[str, Any]]:
        return [{"variantId": variant, "quantity": q} for variant, q in quantities]

    refused = (
        await gql(
            CREATE,
            {"input": {"channel": "web", "lines": lines((first_id, 1), (second_id, 11))}},
        )
    )["data"]["cartCreate"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        (["input", "lines", "1", "quantity"], "INSUFFICIENT_STOCK")
    ]
    assert refused["cart"] is None

    made = (
        await gql(
            CREATE, {"input": {"channel": "web", "lines": lines((first_id, 1), (second_id, 1))}}
        )
    )["data"]["cartCreate"]
    token = made["cart"]["token"]
    first, second = made["cart"]["lines"]
    before = await row_counts(runtime)
    changes = [{"lineId": second["id"], "quantity": 2}, {"lineId": first["id"], "quantity": 11}]

    payload = (await gql(UPDATE, {"token": token, "lines": changes}))["data"]["cartLinesUpdate"]

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["lines", "1", "quantity"], "INSUFFICIENT_STOCK")
    ]
    assert [li["quantity"] for li in payload["cart"]["lines"]] == [1, 1]
    assert await row_counts(runtime) == before
