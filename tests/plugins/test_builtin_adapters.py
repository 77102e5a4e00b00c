"""The built-in channel adapters price through the same hook as any plugin."""

from __future__ import annotations

from typing import Any

import pytest

from core.catalog.import_data import CatalogData, ChannelData, ListingData, ProductData, VariantData
from core.catalog.importer import import_catalog
from core.channels.model import ChannelKind
from core.errors import DomainError, ErrorCode
from core.money import Money
from core.plugin_host import PluginHost
from core.runtime import Runtime
from plugins.store.pricing import shelf_price
from tests.factories import GraphQLClient

QUERY = '{ product(slug: "boots", channel: "%s") { variants { sku price { amount } } } }'


async def given_channel(
    runtime: Runtime, kind: ChannelKind, plugin: str, settings: dict[str, Any]
) -> None:
    await import_catalog(
        runtime.uow(),
        CatalogData(
            channels=[
                ChannelData("adapted", "Adapted", kind, "PLN", plugins=[(plugin, settings)]),
                ChannelData("plain", "Plain", ChannelKind.WEB, "PLN"),
            ],
            products=[
                ProductData(
                    slug="boots",
                    name="Boots",
                    variants=[
                        VariantData(
                            sku=sku,
                            prices={"adapted": Money(price, "PLN"), "plain": Money(price, "PLN")},
                        )
                        for sku, price in (("BOOT-1", 31140), ("BOOT-2", 9999))
                    ],
                    listings={"adapted": ListingData(True), "plain": ListingData(True)},
                )
            ],
        ),
    )


def prices(body: dict[str, Any]) -> list[str]:
    return [v["price"]["amount"] for v in body["data"]["product"]["variants"]]


@pytest.mark.parametrize(
    ("kind", "plugin", "plugin_settings", "expected"),
    [
        (ChannelKind.MOBILE, "mobile", {"app_discount_basis_points": 500}, ["295.83", "94.99"]),
        (
            ChannelKind.MARKETPLACE,
            "marketplace",
            {"commission_markup_basis_points": 800},
            ["336.31", "107.99"],
        ),
        (ChannelKind.STORE, "store", {"price_ending_minor_units": 99}, ["310.99", "99.99"]),
        (
            ChannelKind.WEB,
            "web",
            {"sale_basis_points": 2000, "sale_sku_prefixes": ["BOOT-2"]},
            ["311.40", "79.99"],
        ),
    ],
)
async def test_each_adapter_prices_its_channel_and_no_other(
    runtime: Runtime,
    gql: GraphQLClient,
    kind: ChannelKind,
    plugin: str,
    plugin_settings: dict[str, Any],
    expected: list[str],
) -> None:
    await given_channel(runtime, kind, plugin, plugin_settings)

    adapted = await gql(QUERY % "adapted")
    plain = await gql(QUERY % "plain")

    assert prices(adapted) == expected
    assert prices(plain) == ["311.40", "99.99"]


@pytest.mark.parametrize(
    ("plugin", "plugin_settings"),
    [
        ("mobile", {"app_discount_basis_points": "five"}),
        ("mobile", {"app_discount_basis_points": 20_000}),
        ("marketplace", {"commision": 5}),
        ("store", {"price_ending_minor_units": 150}),
        ("web", {"sale_sku_prefixes": "BOOT"}),
    ],
)
def test_bad_settings_are_refused_with_a_clear_code(
    plugins: PluginHost, plugin: str, plugin_settings: dict[str, Any]
) -> None:
    with pytest.raises(DomainError) as raised:
        plugins.validate(plugin, plugin_settings)

    assert {p.code for p in raised.value.problems} == {ErrorCode.INVALID_PLUGIN_SETTINGS}


def test_an_unknown_plugin_is_refused(plugins: PluginHost) -> None:
    with pytest.raises(DomainError) as raised:
        plugins.validate("nonexistent", {})

    assert raised.value.problems[0].code is ErrorCode.UNKNOWN_PLUGIN


@pytest.mark.parametrize(
    ("price", "ending", "expected"),
    [(13140, 99, 13099), (12999, 99, 12999), (13000, 0, 13000), (50, 99, 0), (131, 99, 99)],
)
def test_shelf_prices_round_down_to_the_ending(price: int, ending: int, expected: int) -> None:
    assert shelf_price(Money(price, "PLN"), ending) == Money(expected, "PLN")


def test_shelf_prices_leave_currencies_without_minor_units_alone() -> None:
    assert shelf_price(Money(1234, "JPY"), 99) == Money(1234, "JPY")
