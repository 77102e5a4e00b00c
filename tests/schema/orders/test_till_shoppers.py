"""Shoppers at the till (issue 15, point 3): a customer named by email, global ID or a
loyalty plugin's card number finds the sale in their orders; the store adapter's shelf
prices and the till's attributes price the sale. On both databases, over GraphQL."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.channels import services as channels
from core.channels.model import EnabledPlugin
from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from core.ids import ChannelId
from core.money import Money
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import GraphQLClient, bearer, log_in_customer, make_customer
from tests.factories.till import (
    STORE,
    STORE_CHANNEL,
    counts,
    location_gid,
    sell,
    store_price,
    store_variants,
    till_staff,
)

MY_ORDERS = "{ me { orders(first: 10) { nodes { number status channel { slug } } } } }"
LOYALTY_CARD = "LOYAL-0042"


class LoyaltyLookup:
    """A loyalty plugin's lookup: its card numbers name customers (by email here)."""

    def __init__(self) -> None:
        self.cards: dict[str, int] = {}

    @hookimpl
    def omnicart_customer_lookup(self, identifier: str) -> int | None:
        return self.cards.get(identifier)

    @hookimpl
    def omnicart_price_lines(
        self, context: PricingContext, lines: Sequence[PriceLine]
    ) -> list[PriceAdjustment] | None:
        """Points spent at the till: 100 points take 1.00 off the first line's unit."""
        points = int(context.attributes.get("loyalty.redeemPoints", "0"))
        if not points or not lines:
            return None
        off = Money(points, lines[0].unit_price.currency)
        return [PriceAdjustment(lines[0].key, -off, "Loyalty points")]


LOYALTY = LoyaltyLookup()


@pytest.fixture
def plugins() -> PluginHost:
    return PluginHost.load(extra={"loyalty-test": LOYALTY})


@pytest.fixture
async def staff(runtime: Runtime, gql: GraphQLClient) -> GraphQLClient:
    return await till_staff(runtime, gql)


@pytest.mark.parametrize("named_by", ["email", "global id"])
async def test_a_shopper_named_at_the_till_finds_the_sale_in_their_orders(
    runtime: Runtime, gql: GraphQLClient, staff: GraphQLClient, named_by: str
) -> None:
    ann = await make_customer(runtime, email="ann@example.com")
    session = await log_in_customer(runtime, email="ann@example.com")
    (variant,) = await store_variants(runtime, at_least=1)
    named = "Ann@Example.com" if named_by == "email" else to_global_id("Customer", ann.id)

    sale = await sell(staff, await location_gid(runtime, STORE), [(variant, 1)], customer=named)
    mine = await gql(MY_ORDERS, headers=bearer(session.token))

    assert sale["errors"] == []
    assert mine["data"]["me"]["orders"]["nodes"] == [
        {
            "number": sale["order"]["number"],
            "status": "COMPLETED",
            "channel": {"slug": STORE_CHANNEL},
        }
    ]


async def test_an_unknown_shopper_is_refused(runtime: Runtime, staff: GraphQLClient) -> None:
    (variant,) = await store_variants(runtime, at_least=1)
    before = await counts(runtime)

    sale = await sell(
        staff, await location_gid(runtime, STORE), [(variant, 1)], customer="nobody@example.com"
    )

    assert [(e["code"], e["field"]) for e in sale["errors"]] == [
        ("CUSTOMER_NOT_FOUND", ["customerId"])
    ]
    assert await counts(runtime) == before


async def test_a_loyalty_plugin_resolves_its_card_numbers(
    runtime: Runtime, gql: GraphQLClient, staff: GraphQLClient
) -> None:
    ann = await make_customer(runtime, email="ann@example.com")
    LOYALTY.cards[LOYALTY_CARD] = ann.id
    channel = await runtime.channels.by_slug(STORE_CHANNEL)
    assert channel is not None
    await channels.update_channel(
        runtime.uow(),
        channel_id=ChannelId(channel.id),
        plugins=[*channel.plugins, EnabledPlugin("loyalty-test", {})],
    )
    (variant,) = await store_variants(runtime, at_least=1)

    sale = await sell(
        staff, await location_gid(runtime, STORE), [(variant, 1)], customer=LOYALTY_CARD
    )
    unknown = await sell(
        staff, await location_gid(runtime, STORE), [(variant, 1)], key="k-2", customer="LOYAL-9"
    )

    assert sale["errors"] == []
    assert (sale["order"]["customerId"], sale["order"]["email"]) == (
        to_global_id("Customer", ann.id),
        "ann@example.com",
    )
    assert [e["code"] for e in unknown["errors"]] == ["CUSTOMER_NOT_FOUND"]


async def test_the_store_adapters_shelf_prices_and_the_tills_attributes_price_the_sale(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    channel = await runtime.channels.by_slug(STORE_CHANNEL)
    assert channel is not None
    await channels.update_channel(
        runtime.uow(),
        channel_id=ChannelId(channel.id),
        plugins=[
            EnabledPlugin("store", {"price_ending_minor_units": 0}),
            EnabledPlugin("loyalty-test", {}),
            EnabledPlugin("cash", {}),
        ],
    )
    (variant,) = await store_variants(runtime, at_least=1)
    base = Money.parse(await store_price(runtime, variant), "PLN")
    shelf = Money(base.minor_units - base.minor_units % 100, "PLN")

    plain = await sell(staff, await location_gid(runtime, STORE), [(variant, 1)])
    redeemed = await sell(
        staff,
        await location_gid(runtime, STORE),
        [(variant, 1)],
        key="till-sale-0002",
        attributes=[{"key": "loyalty.redeemPoints", "value": "500"}],
    )

    assert plain["order"]["lines"][0]["unitPrice"]["amount"] == shelf.amount_string()
    assert redeemed["order"]["lines"][0]["unitPrice"]["amount"] == (
        (shelf - Money(500, "PLN")).amount_string()
    )
