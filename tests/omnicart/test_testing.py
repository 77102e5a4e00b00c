"""The plugin author kit (``omnicart.testing``): its fixtures serve the demo retailer with
exactly the given plugin enabled in exactly the given channel, with its settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from core.events.model import DeliveredEvent
from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from core.money import Money
from omnicart.kit.checkout import CREATE
from omnicart.testing import GraphQL, GraphQLErrors, Omnicart

CHANNEL = "query ($slug: String!) { channel(slug: $slug) { slug plugins { name } } }"


@dataclass(frozen=True, slots=True)
class FlatOffSettings:
    amount_off: str


class FlatOff:
    """A plugin taking ``amount_off`` off every line; it also keeps the events it is given."""

    settings_class = FlatOffSettings

    def __init__(self) -> None:
        self.events: list[DeliveredEvent] = []

    @hookimpl
    def omnicart_price_lines(
        self, context: PricingContext, lines: Sequence[PriceLine], settings: FlatOffSettings
    ) -> list[PriceAdjustment]:
        off = Money.parse(settings.amount_off, context.channel.currency)
        return [PriceAdjustment(line.key, -off, "Flat off") for line in lines]

    @hookimpl
    def omnicart_event(self, event: DeliveredEvent) -> None:
        self.events.append(event)


@pytest.fixture
def omnicart_plugin() -> FlatOff:
    return FlatOff()


@pytest.fixture
def omnicart_channel() -> str:
    return "mobile"


@pytest.fixture
def omnicart_plugin_settings() -> Mapping[str, Any]:
    return {"amount_off": "1.00"}


async def adjustments(gql: GraphQL, variant: str, channel: str) -> list[dict[str, Any]]:
    """The adjustments of a new cart in ``channel`` holding one ``variant``."""
    lines = [{"variantId": variant, "quantity": 1}]
    data = await gql(CREATE, {"input": {"channel": channel, "lines": lines}})
    found: list[dict[str, Any]] = data["cartCreate"]["cart"]["cost"]["adjustments"]
    return found


async def test_the_plugin_prices_only_in_the_channel_that_enables_it(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    variant = omnicart.demo.variants[omnicart.demo.skus[0]]

    in_channel = {
        slug: await adjustments(omnicart_graphql, variant, slug)
        for slug in ("web", "mobile", "marketplace")
    }

    flat_off = {
        "label": "Flat off",
        "plugin": "flatoff",
        "amount": {"amount": "-1.00", "currency": "PLN"},
    }
    assert omnicart.plugin == "flatoff"
    assert flat_off in in_channel["mobile"]
    assert [
        a for a in in_channel["web"] + in_channel["marketplace"] if a["plugin"] == "flatoff"
    ] == []


async def test_the_channel_lists_the_plugin_with_its_settings_and_no_other_gains_it(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    channels = {
        slug: await omnicart_graphql(CHANNEL, {"slug": slug}) for slug in omnicart.demo.channels
    }
    mobile = await omnicart.runtime.channels.by_slug("mobile")

    enabled = {
        slug: [plugin["name"] for plugin in data["channel"]["plugins"]]
        for slug, data in channels.items()
    }
    assert enabled == {
        "web": ["web", "test-gateway"],
        "mobile": ["mobile", "test-gateway", "pay-at-pickup", "flatoff"],
        "marketplace": ["marketplace", "test-gateway"],
        "store-warszawa": ["store", "cash", "card-present"],
        "web-eu": ["web", "test-gateway"],
    }
    assert mobile is not None
    assert mobile.plugins[-1].settings == {"amount_off": "1.00"}


async def test_an_order_placed_with_the_helper_reaches_the_event_hook(
    omnicart: Omnicart, omnicart_plugin: FlatOff
) -> None:
    shopper = await omnicart.customer("bob@example.com")

    placed = await omnicart.place_order(sku=omnicart.demo.skus[1], quantity=2, shopper=shopper)
    delivered = await omnicart.deliver_events()

    assert placed.order["channel"] == {"slug": "mobile"}
    assert placed.order["email"] == "bob@example.com"
    assert placed.order["lines"][0]["quantity"] == 2
    assert "Flat off" in [line["label"] for line in placed.order["cost"]["adjustments"]]
    assert delivered == len(omnicart_plugin.events)
    assert "OrderPlaced" in [event.type for event in omnicart_plugin.events]
    assert await omnicart.deliver_events() == 0


async def test_graphql_errors_are_raised_and_the_raw_body_kept(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    # Staff only, sent without a token.
    query = 'mutation { channelUpdate(id: "Q2hhbm5lbDox", input: {}) { errors { code } } }'

    body = await omnicart_graphql.raw(query)
    with pytest.raises(GraphQLErrors) as raised:
        await omnicart_graphql(query)

    assert body["errors"] == raised.value.errors
    assert raised.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
