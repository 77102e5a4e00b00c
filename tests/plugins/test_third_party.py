"""A third-party plugin package, found through its entry point, changes prices in
the one channel that enables it; failing and async plugins behave as documented."""

from __future__ import annotations

import shutil
import sys
import tomllib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.catalog.import_data import CatalogData, ChannelData, ListingData, ProductData, VariantData
from core.catalog.importer import import_catalog
from core.channels.model import ChannelKind
from core.clock import FrozenClock
from core.config import Settings
from core.db.reads import Reads
from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from core.money import Money
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.app import create_app
from schema.cli import main
from tests.factories import FailingPlugin, GraphQLClient

EXAMPLE = Path(__file__).parents[2] / "examples" / "plugins" / "omnicart-clearance"
PRICE_QUERY = '{ product(slug: "coat", channel: "%s") { variants { sku price { amount } } } }'


def install_example(site: Path) -> None:
    """Install the example package as pip would: its module plus a dist-info with its
    entry points, in a directory put on sys.path."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    shutil.copytree(EXAMPLE / "omnicart_clearance", site / "omnicart_clearance")
    dist_info = site / f"omnicart_clearance-{project['version']}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    lines = []
    for group, entries in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {target}" for name, target in entries.items())
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def installed_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    install_example(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield_host = PluginHost.load()
    monkeypatch.delitem(sys.modules, "omnicart_clearance", raising=False)
    return yield_host


def catalog(*, plugins_in_web: Sequence[tuple[str, dict[str, object]]]) -> CatalogData:
    return CatalogData(
        channels=[
            ChannelData("web", "Web", ChannelKind.WEB, "PLN", plugins=plugins_in_web),
            ChannelData("shop", "Shop", ChannelKind.STORE, "PLN"),
        ],
        products=[
            ProductData(
                slug="coat",
                name="Coat",
                variants=[
                    VariantData(
                        sku=sku,
                        prices={"web": Money(19900, "PLN"), "shop": Money(19900, "PLN")},
                    )
                    for sku in ("COAT-S", "COAT-M")
                ],
                listings={"web": ListingData(True), "shop": ListingData(True)},
            )
        ],
    )


async def client_for(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock, plugins: PluginHost
) -> AsyncIterator[GraphQLClient]:
    runtime = Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)
    transport = httpx.ASGITransport(app=create_app(settings, runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


async def test_an_installed_package_is_discovered_through_its_entry_point(
    installed_example: PluginHost,
) -> None:
    plugin = installed_example.installed["clearance"]

    assert plugin.distribution == "omnicart-clearance"
    assert plugin.hooks == ("omnicart_price_lines",)
    assert {"web", "mobile", "marketplace", "store"} <= set(installed_example.installed)


async def test_a_third_party_plugin_changes_prices_only_where_enabled(
    installed_example: PluginHost,
    settings: Settings,
    engine: AsyncEngine,
    reads: Reads,
    clock: FrozenClock,
) -> None:
    runtime = Runtime.build(
        settings, engine=engine, reads=reads, clock=clock, plugins=installed_example
    )
    await import_catalog(
        runtime.uow(),
        catalog(plugins_in_web=[("clearance", {"amount_off": "25.00", "skus": ["COAT-M"]})]),
    )

    async for gql in client_for(settings, engine, reads, clock, installed_example):
        web = await gql(PRICE_QUERY % "web")
        shop = await gql(PRICE_QUERY % "shop")

    assert web["data"]["product"]["variants"] == [
        {"sku": "COAT-S", "price": {"amount": "199.00"}},
        {"sku": "COAT-M", "price": {"amount": "174.00"}},
    ]
    assert shop["data"]["product"]["variants"] == [
        {"sku": "COAT-S", "price": {"amount": "199.00"}},
        {"sku": "COAT-M", "price": {"amount": "199.00"}},
    ]


async def test_the_plugins_command_lists_the_plugin_and_its_channels(
    installed_example: PluginHost,
    settings: Settings,
    engine: AsyncEngine,
    reads: Reads,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    runtime = Runtime.build(
        settings, engine=engine, reads=reads, clock=clock, plugins=installed_example
    )
    await import_catalog(
        runtime.uow(), catalog(plugins_in_web=[("clearance", {"amount_off": "1.00"})])
    )
    monkeypatch.setenv("OMNICART_DATABASE_URL", settings.database_url)

    # The command runs its own event loop, so it runs in a thread here.
    import asyncio

    exit_code = await asyncio.to_thread(main, ["plugins"])

    output = capsys.readouterr().out
    assert exit_code == 0
    clearance = output[output.index("clearance") :]
    assert "omnicart-clearance 1.0.0" in clearance
    assert "channels: web" in clearance


class AsyncHalfPricePlugin:
    @hookimpl
    async def omnicart_price_lines(
        self, context: PricingContext, lines: Sequence[PriceLine]
    ) -> list[PriceAdjustment]:
        return [
            PriceAdjustment(line.key, -line.unit_price.percentage(5000), "Half price")
            for line in lines
        ]


class WrongCurrencyPlugin:
    @hookimpl
    def omnicart_price_lines(self, lines: Sequence[PriceLine]) -> list[PriceAdjustment]:
        return [PriceAdjustment(line.key, Money(-100, "EUR"), "Euro off") for line in lines]


@pytest.mark.parametrize(
    ("name", "plugin"), [("boom", FailingPlugin()), ("euro", WrongCurrencyPlugin())]
)
async def test_a_failing_plugin_is_named_in_a_coded_error(
    settings: Settings,
    engine: AsyncEngine,
    reads: Reads,
    clock: FrozenClock,
    name: str,
    plugin: object,
) -> None:
    plugins = PluginHost.load(extra={name: plugin})
    runtime = Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)
    await import_catalog(runtime.uow(), catalog(plugins_in_web=[(name, {})]))

    async for gql in client_for(settings, engine, reads, clock, plugins):
        body = await gql(PRICE_QUERY % "web")

    error = body["errors"][0]
    assert error["extensions"] == {"code": "PLUGIN_FAILED", "plugin": name}
    assert name in error["message"]
    assert "pricing service down" not in error["message"]


async def test_an_async_plugin_is_awaited(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> None:
    plugins = PluginHost.load(extra={"half": AsyncHalfPricePlugin()})
    runtime = Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)
    await import_catalog(runtime.uow(), catalog(plugins_in_web=[("half", {})]))

    async for gql in client_for(settings, engine, reads, clock, plugins):
        body = await gql(PRICE_QUERY % "web")

    assert body["data"]["product"]["variants"][0]["price"] == {"amount": "99.50"}
