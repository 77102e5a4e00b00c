"""The last units of a variant, added by many carts at once through the GraphQL endpoint
(issue 12, point 5): exactly as many adds go through as there are units."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from core.carts.tables import CartLineRow
from core.db import table_of
from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import GraphQLClient, make_shop, stored

CREATE = "mutation { cartCreate(input: {}) { cart { token } errors { code } } }"
ADD = """
mutation ($token: String!, $lines: [CartLineInput!]!) {
  cartLinesAdd(token: $token, lines: $lines) {
    cart { totalQuantity }
    errors { field code }
  }
}
"""


@pytest.fixture
def checked_out(runtime: Runtime) -> Iterator[list[int]]:
    """The most connections the app had checked out of its pool at once, so far."""
    current, peak = [0], [0]

    def checkout(*_: Any) -> None:
        current[0] += 1
        peak[0] = max(peak[0], current[0])

    def checkin(*_: Any) -> None:
        current[0] -= 1

    pool = runtime.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    yield peak
    event.remove(pool, "checkout", checkout)
    event.remove(pool, "checkin", checkin)


async def test_a_hundred_carts_adding_the_last_ten_units_at_once_get_exactly_ten(
    runtime: Runtime, gql: GraphQLClient, checked_out: list[int]
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them on one lock")
    # Ten units: six at the warehouse (first), four at the store, so adds move on to the
    # store once the warehouse is held.
    shop = await make_shop(runtime, warehouse=6, store=4)
    variant = to_global_id("ProductVariant", shop.variant_id)
    tokens = []
    for _ in range(100):
        created = (await gql(CREATE))["data"]["cartCreate"]
        assert created["errors"] == []
        tokens.append(created["cart"]["token"])
    checked_out[0] = 0

    bodies = await asyncio.gather(
        *(
            gql(ADD, {"token": token, "lines": [{"variantId": variant, "quantity": 1}]})
            for token in tokens
        )
    )

    # No add fails otherwise: no deadlock, no lost race left unresolved
    # (tests/core/carts/test_lock_order.py).
    assert [body.get("errors") for body in bodies] == [None] * 100
    payloads = [body["data"]["cartLinesAdd"] for body in bodies if "errors" not in body]
    added = [payload for payload in payloads if not payload["errors"]]
    refused = [payload for payload in payloads if payload["errors"]]
    assert [payload["cart"]["totalQuantity"] for payload in added] == [1] * 10
    refusals = [payload["errors"][0]["code"] for payload in refused]
    assert refusals == ["INSUFFICIENT_STOCK"] * 90
    assert [payload["cart"]["totalQuantity"] for payload in refused] == [0] * len(refused)
    levels = (await stored(runtime)).levels
    assert levels[(shop.variant_id, shop.warehouse.id)] == (6, 6)
    assert levels[(shop.variant_id, shop.store.id)] == (4, 4)
    lines = table_of(CartLineRow)
    async with runtime.engine.connect() as connection:
        in_carts = (await connection.execute(select(func.sum(lines.c.quantity)))).scalar_one()
    assert in_carts == 10
    # The adds ran side by side, on connections of their own.
    assert checked_out[0] > 10
