"""Carts and customers: resume on any device, merge on login, one customer's carts only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import (
    GraphQLClient,
    bearer,
    log_in_customer,
    make_customer,
    make_store,
    row_counts,
)

LINES = "token version totalQuantity lines { quantity variant { sku } }"

LOGIN = f"""
mutation ($input: CustomerLoginInput!) {{
  customerLogin(input: $input) {{
    token
    cart {{ {LINES} }}
    merge {{
      policy
      lines {{ variantId action guestQuantity quantityBefore quantityAfter reason }}
    }}
    errors {{ field code }}
  }}
}}
"""

CREATE = f"""
mutation ($lines: [CartLineInput!]!) {{
  cartCreate(input: {{channel: "web", lines: $lines}}) {{ cart {{ {LINES} }} errors {{ code }} }}
}}
"""

ACTIVE = f'query {{ me {{ email activeCart(channel: "web") {{ {LINES} }} }} }}'
READ = f"query ($token: String!) {{ cart(token: $token) {{ {LINES} }} }}"
ADD = """
mutation ($token: String!, $variant: ID!) {
  cartLinesAdd(token: $token, lines: [{variantId: $variant, quantity: 1}]) {
    cart { version } errors { code }
  }
}
"""
MERGE = """
mutation ($token: String!) {
  cartMerge(token: $token) { cart { totalQuantity } merge { policy } errors { field code } }
}
"""


def gid(variant: int) -> str:
    return to_global_id("ProductVariant", variant)


async def guest_cart(gql: GraphQLClient, variants: Sequence[int], quantity: int = 1) -> str:
    body = await gql(
        CREATE, {"lines": [{"variantId": gid(v), "quantity": quantity} for v in variants]}
    )
    token: str = body["data"]["cartCreate"]["cart"]["token"]
    return token


def login_input(cart_token: str | None = None, email: str = "ann@example.com") -> dict[str, Any]:
    return {"input": {"email": email, "password": "correct horse battery", "cartToken": cart_token}}


async def test_a_cart_started_as_a_guest_follows_the_customer_to_every_device(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    store = await make_store(runtime, variants=3)
    guest = await guest_cart(gql, store.variants[:2])

    # The phone logs in with its guest cart: it becomes the customer's cart.
    phone = (await gql(LOGIN, login_input(guest)))["data"]["customerLogin"]
    assert phone["errors"] == []
    assert phone["cart"]["token"] == guest
    assert [line["action"] for line in phone["merge"]["lines"]] == ["ADDED", "ADDED"]

    # The tablet logs in without a cart and finds it, token included.
    tablet = (await gql(LOGIN, login_input()))["data"]["customerLogin"]
    assert tablet["cart"]["token"] == guest and tablet["merge"] is None
    me = await gql(ACTIVE, headers=bearer(tablet["token"]))
    assert me["data"]["me"]["activeCart"]["totalQuantity"] == 2

    # The laptop, as a guest, starts another cart and logs in: SUM merges it.
    laptop_cart = await guest_cart(gql, store.variants[1:3], quantity=2)
    laptop = (await gql(LOGIN, login_input(laptop_cart)))["data"]["customerLogin"]
    assert laptop["cart"]["token"] == guest
    assert [
        (line["action"], line["quantityBefore"], line["quantityAfter"])
        for line in laptop["merge"]["lines"]
    ] == [("INCREASED", 1, 3), ("ADDED", 0, 2)]
    assert laptop["merge"]["policy"] == "SUM"

    # Every device sees the same cart, and a change from one shows on the others.
    added = await gql(
        ADD, {"token": guest, "variant": gid(store.variants[0])}, headers=bearer(phone["token"])
    )
    assert added["data"]["cartLinesAdd"]["errors"] == []
    seen = await gql(ACTIVE, headers=bearer(tablet["token"]))
    assert seen["data"]["me"]["activeCart"]["totalQuantity"] == 7
    # The laptop's old guest token now reads the merged, read-only cart.
    old = await gql(ADD, {"token": laptop_cart, "variant": gid(store.variants[0])})
    assert old["data"]["cartLinesAdd"]["errors"] == [{"code": "CART_NOT_ACTIVE"}]


async def test_a_bad_cart_token_logs_nobody_in(runtime: Runtime, gql: GraphQLClient) -> None:
    await make_store(runtime)
    before = await row_counts(runtime)

    for token, code in (("nope", "INVALID_CART_TOKEN"), ("omct_" + "Q" * 43, "CART_NOT_FOUND")):
        body = (await gql(LOGIN, login_input(token)))["data"]["customerLogin"]
        assert body["token"] is None
        assert body["errors"] == [{"field": ["input", "cartToken"], "code": code}]

    after = await row_counts(runtime)
    assert after["customer_sessions"] == before["customer_sessions"] == 0


async def test_one_customer_never_sees_or_changes_anothers_cart(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    store = await make_store(runtime)  # makes ann@example.com
    await make_customer(runtime, email="bob@example.com")
    ann = await log_in_customer(runtime)
    bob = await log_in_customer(runtime, email="bob@example.com")
    created = await gql(
        CREATE,
        {"lines": [{"variantId": gid(store.variants[0]), "quantity": 1}]},
        headers=bearer(ann.token),
    )
    ann_cart = created["data"]["cartCreate"]["cart"]["token"]
    before = await row_counts(runtime)

    as_bob = bearer(bob.token)
    assert (await gql(READ, {"token": ann_cart}, headers=as_bob))["data"]["cart"] is None
    added = await gql(ADD, {"token": ann_cart, "variant": gid(store.variants[0])}, headers=as_bob)
    assert added["data"]["cartLinesAdd"] == {"cart": None, "errors": [{"code": "CART_NOT_FOUND"}]}
    merged = await gql(MERGE, {"token": ann_cart}, headers=as_bob)
    assert merged["data"]["cartMerge"]["errors"] == [{"field": ["token"], "code": "CART_NOT_FOUND"}]
    assert (await gql(ACTIVE, headers=as_bob))["data"]["me"]["activeCart"] is None
    assert await row_counts(runtime) == before
    # Ann, and a device holding the token without a session, still can.
    assert (await gql(READ, {"token": ann_cart}, headers=bearer(ann.token)))["data"]["cart"]
    assert (await gql(READ, {"token": ann_cart}))["data"]["cart"]
    # A stale session token is refused rather than treated as a guest.
    stale = await gql(READ, {"token": ann_cart}, headers=bearer("omcs_abcdefgh_" + "x" * 43))
    assert stale["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await gql(MERGE, {"token": ann_cart}))["errors"][0]["extensions"][
        "code"
    ] == "UNAUTHENTICATED"


async def test_many_concurrent_logins_merge_every_line_exactly_once(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    store = await make_store(runtime, variants=24, stock=100)
    ann = await log_in_customer(runtime)
    await gql(
        CREATE,
        {"lines": [{"variantId": gid(v), "quantity": 1} for v in store.variants[::2]]},
        headers=bearer(ann.token),
    )
    guests = [await guest_cart(gql, store.variants) for _ in range(3)]

    logins = await asyncio.gather(
        *(gql(LOGIN, login_input(token)) for token in [*guests, *guests, None, None])
    )

    assert all(body["data"]["customerLogin"]["errors"] == [] for body in logins)
    tokens = {body["data"]["customerLogin"]["cart"]["token"] for body in logins}
    assert len(tokens) == 1
    merges = [body["data"]["customerLogin"]["merge"] for body in logins]
    assert sum(1 for merge in merges if merge is not None) == 3
    final = (await gql(READ, {"token": tokens.pop()}))["data"]["cart"]
    quantities = {line["variant"]["sku"]: line["quantity"] for line in final["lines"]}
    assert quantities == {f"TEE-{i}": 3 + (1 if i % 2 == 0 else 0) for i in range(24)}
