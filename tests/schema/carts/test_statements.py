"""cartLinesAdd runs the same SQL statements whatever the size of the cart."""

from __future__ import annotations

from core.carts import services
from core.carts.services import LineInput
from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import GraphQLClient, StatementCounter, make_store

ADD = """
mutation ($token: String!, $variant: ID!, $key: String!) {
  cartLinesAdd(token: $token, lines: [{variantId: $variant, quantity: 1}], idempotencyKey: $key) {
    cart { version totalQuantity lines { id } cost { totalAmount { amount currency } } }
    errors { code }
  }
}
"""


async def test_adding_to_a_cart_costs_the_same_statements_for_1_or_20_lines(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    store = await make_store(runtime, variants=21, stock=100)
    counts = []
    for size in (1, 20):
        created = await services.create_cart(
            runtime.uow(),
            channel_id=store.channel.id,
            lines=[LineInput(variant, 1) for variant in store.variants[:size]],
        )
        variables = {
            "token": created.token,
            "variant": to_global_id("ProductVariant", store.variants[0]),
        }
        await gql(ADD, {**variables, "key": f"warm-up-key-{size:08d}"})
        count_statements.reset()
        body = await gql(ADD, {**variables, "key": f"measured-key-{size:08d}"})
        assert body["data"]["cartLinesAdd"]["errors"] == []
        assert body["data"]["cartLinesAdd"]["cart"]["totalQuantity"] == size + 2
        counts.append(list(count_statements.statements))

    assert len(counts[0]) == len(counts[1])
    # PostgreSQL (core.carts.fast_add): read the cart, its channel, lines and prices;
    # then one statement, committed by itself, with the cart, the key, the line, the
    # take of the stock and the cart's hold grown, and the outbox rows with their
    # NOTIFY. SQLite runs 9 in a transaction: the cart's lock, the key, the lines, the
    # stock rows' lock, the take, the hold grown, the line, the cart, the outbox.
    expected = 2 if runtime.engine.dialect.name == "postgresql" else 9
    assert len(counts[0]) == expected, counts[0]
