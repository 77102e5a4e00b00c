"""checkoutComplete reads what it needs once: the stock once for the delivery groups and
the plan, the order's lines written in one statement, the answer's order and channel
not read again (the order is answered as written: test_checkout_answer.py holds it to
the order read back)."""

from __future__ import annotations

from core.runtime import Runtime
from tests.factories import GraphQLClient, StatementCounter
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare


async def test_a_checkout_reads_its_stock_once_and_not_its_order_again(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "warehouse"): 5, (1, "warehouse"): 5}, extra_plugins=(GATEWAY,)
    )
    token = await make_cart(runtime, shop, (2, 1))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})

    count_statements.reset()
    placed = await checkout(gql, token)

    assert placed["errors"] == [] and len(placed["order"]["lines"]) == 2
    statements = count_statements.statements
    available = [s for s in statements if "FROM channel_locations" in s and "stock_levels" in s]
    order_reads = [s for s in statements if "WHERE orders.id IN" in s]
    line_inserts = [s for s in statements if s.lstrip().startswith("INSERT INTO order_lines")]
    channel_reads = [s for s in statements if s.lstrip().startswith("SELECT channels.")]
    assert len(available) == 1, available
    assert order_reads == []
    assert len(line_inserts) == 1, line_inserts
    # The channel comes with the cart's locked row.
    assert len(channel_reads) == 1, channel_reads
