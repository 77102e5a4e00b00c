"""A cart answers only to its token: wrong or absent tokens read and change nothing."""

from __future__ import annotations

import logging

import pytest

from core.carts import tokens
from core.runtime import Runtime
from tests.factories import (
    ADD,
    CLEAR,
    READ,
    GraphQLClient,
    availability,
    create,
    make_shop,
    row_counts,
    variant_gid,
)


async def test_a_wrong_or_absent_token_reads_and_changes_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    cart = await create(gql, shop, 2)
    token = cart["token"]
    before = await row_counts(runtime)
    # The same length and alphabet, one character off; another cart's token shape.
    near_miss = token[:-1] + ("A" if token[-1] != "A" else "B")

    for wrong in (near_miss, tokens.new_token(), "", "omct_", token.upper()):
        read = await gql(READ, {"token": wrong})
        assert read.get("data") in (None, {"cart": None})
        added = await gql(
            ADD, {"token": wrong, "lines": [{"variantId": variant_gid(shop), "quantity": 1}]}
        )
        assert added["data"]["cartLinesAdd"]["cart"] is None
        assert added["data"]["cartLinesAdd"]["errors"]
        cleared = await gql(CLEAR, {"token": wrong})
        assert cleared["data"]["cartClear"]["cart"] is None

    missing = await gql("mutation { cartClear { errors { code } } }")
    assert missing["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert await row_counts(runtime) == before
    assert (await availability(runtime, shop)).quantity == 8


async def test_the_token_never_reaches_the_logs(
    runtime: Runtime, gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    with caplog.at_level(logging.DEBUG):
        token = (await create(gql, shop, 1))["token"]
        await gql(ADD, {"token": token, "lines": [{"variantId": variant_gid(shop), "quantity": 9}]})
        await gql(READ, {"token": token})
        await gql(CLEAR, {"token": token})
    assert caplog.records
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in text and token[5:] not in text
