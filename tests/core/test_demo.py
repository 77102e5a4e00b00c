"""The demo seed: its size, its channel differences, determinism and only-if-empty."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.catalog.events import PRICE_TOPIC
from core.catalog.import_data import CatalogData, ProductData, VariantData
from core.catalog.importer import import_catalog
from core.catalog.model import ProductBundle, ProductFilter, ProductInclude, ProductSort
from core.catalog.queries import list_products
from core.channels.model import EnabledPlugin, LocationKind
from core.channels.queries import all_channels, all_locations, channel_locations_by_channel_id
from core.clock import FrozenClock
from core.db import metadata, table_of
from core.demo.catalog import DEMO_BASE_TIME
from core.demo.seed import seed_demo
from core.errors import DomainError, ErrorCode
from core.events.tables import OutboxEventRow
from core.ids import ChannelId
from core.inventory.events import STOCK_TOPIC, StockChangeCause
from core.inventory.model import MovementKind
from core.inventory.queries import stock_movements
from core.inventory.tables import StockLevelRow
from core.money import Rounding
from core.runtime import Runtime

SEEDED = (
    "seeded demo: 5 channels, 4 locations, 12 categories, 150 products, 600 variants, "
    "2400 stock levels (27414 units)"
)
NOT_SEEDED = "catalog not empty; demo not seeded"

# The natural key that stands in for each table's generated id in digests.
_NATURAL_KEYS = {
    "channels": "slug",
    "locations": "slug",
    "categories": "slug",
    "products": "slug",
    "variants": "sku",
}


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            statement = select(func.count()).select_from(table)
            counts[table.name] = (await connection.execute(statement)).scalar_one()
    return counts


# Deliveries, not data: an event's JSON holds ids the database picked (and on
# PostgreSQL its transaction's id); test_the_opening_stock_is_counted_like_any_stock_count
# checks what the demo's events say.
_NOT_DIGESTED = {"outbox_events"}


async def digest(engine: AsyncEngine) -> str:
    """A hash of every row but events, with generated ids replaced by slugs and SKUs."""
    lines: list[str] = []
    async with engine.connect() as connection:
        keys: dict[str, dict[int, str]] = {}
        for name, key in _NATURAL_KEYS.items():
            table = metadata.tables[name]
            rows = (await connection.execute(select(table.c.id, table.c[key]))).all()
            keys[name] = {row[0]: row[1] for row in rows}
        for table in metadata.sorted_tables:
            if table.name in _NOT_DIGESTED:
                continue
            records = (await connection.execute(select(table))).mappings().all()
            for row in records:
                values: dict[str, Any] = {}
                for column in table.columns:
                    if column.name == "id":
                        continue
                    value = row[column.name]
                    referenced = [key.column.table.name for key in column.foreign_keys]
                    if referenced and value is not None:
                        value = keys[referenced[0]][value]
                    values[column.name] = value
                lines.append(f"{table.name} {sorted(values.items())!r}")
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


async def delete_everything(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(table.delete())


async def channel_ids(engine: AsyncEngine) -> dict[str, ChannelId]:
    async with engine.connect() as connection:
        return {channel.slug: channel.id for channel in await all_channels(connection)}


async def visible(
    engine: AsyncEngine, channel_slug: str, search: str | None = None
) -> list[ProductBundle]:
    """Every product a channel shows (with variants), optionally matching a search."""
    channel_id = (await channel_ids(engine))[channel_slug]
    async with engine.connect() as connection:
        page = await list_products(
            connection,
            channel_id=channel_id,
            first=500,
            after=None,
            product_filter=ProductFilter(search=search),
            sort=ProductSort(),
            include=ProductInclude(variants=True),
        )
    assert not page.has_next_page
    return list(page.bundles)


# ---------------------------------------------------------------- size and shape


async def test_demo_writes_the_counts_its_summary_reports(runtime: Runtime) -> None:
    summary = await seed_demo(runtime)

    assert summary == SEEDED
    counts = await row_counts(runtime.engine)
    assert counts["channels"] == 5
    # web: adapter + gateway; mobile: adapter, gateway, pay-at-pickup; marketplace:
    # adapter + gateway; store: adapter, cash, card-present; web-eu: the web adapter +
    # gateway.
    assert counts["channel_plugins"] == 12
    assert counts["locations"] == 4
    assert counts["channel_locations"] == 3 * 4 + 2 + 1
    assert counts["categories"] == 12
    assert counts["products"] == 150
    assert counts["product_search"] == 150
    assert counts["variants"] == 600
    assert counts["variant_prices"] == 600 * 5
    assert counts["product_listings"] == 150 * 5
    assert 150 <= counts["product_images"] <= 450
    assert counts["stock_levels"] == 600 * 4  # every variant in every location
    assert counts["stock_movements"] == 600 * 4  # an opening count of every level, 0 too
    assert counts["reservations"] == 0


async def test_channels_run_their_plugins_and_draw_on_their_locations(runtime: Runtime) -> None:
    await seed_demo(runtime)

    async with runtime.engine.connect() as connection:
        channels = {channel.slug: channel for channel in await all_channels(connection)}
        locations = {location.id: location for location in await all_locations(connection)}
        links = await channel_locations_by_channel_id(
            connection, [channel.id for channel in channels.values()]
        )

    assert {slug: channel.plugins for slug, channel in channels.items()} == {
        "web": (
            EnabledPlugin("web", {"pickup_preparation_minutes_by_store": {"gdansk-store": 240}}),
            EnabledPlugin("test-gateway", {}),
        ),
        "mobile": (
            EnabledPlugin("mobile", {"app_discount_basis_points": 500}),
            EnabledPlugin("test-gateway", {}),
            EnabledPlugin("pay-at-pickup", {}),
        ),
        "marketplace": (
            EnabledPlugin("marketplace", {"commission_markup_basis_points": 0}),
            EnabledPlugin("test-gateway", {}),
        ),
        "store-warszawa": (
            EnabledPlugin("store", {}),
            EnabledPlugin("cash", {}),
            EnabledPlugin("card-present", {}),
        ),
        "web-eu": (EnabledPlugin("web", {}), EnabledPlugin("test-gateway", {})),
    }
    assert {slug: channel.currency for slug, channel in channels.items()} == {
        "web": "PLN",
        "mobile": "PLN",
        "marketplace": "PLN",
        "store-warszawa": "PLN",
        "web-eu": "EUR",
    }
    supply = {
        slug: [locations[link.location_id].slug for link in links[channel.id]]
        for slug, channel in channels.items()
    }
    everywhere = ["blonie-warehouse", "warszawa-store", "krakow-store", "gdansk-store"]
    assert supply == {
        "web": everywhere,
        "mobile": everywhere,
        "marketplace": everywhere,
        "store-warszawa": ["warszawa-store", "blonie-warehouse"],
        "web-eu": ["blonie-warehouse"],
    }
    stores = [location for location in locations.values() if location.kind is LocationKind.STORE]
    assert len(stores) == 3
    assert all(store.pickup_enabled for store in stores)
    assert sum(store.ship_from_store_enabled for store in stores) >= 2
    for location in locations.values():
        assert location.coordinates is not None
        assert 49 < location.coordinates.latitude < 55  # in Poland
        assert 14 < location.coordinates.longitude < 25


async def test_channels_differ_in_prices(runtime: Runtime) -> None:
    await seed_demo(runtime)

    prices = {
        slug: {
            variant.sku: variant.base_price
            for bundle in await visible(runtime.engine, slug)
            for variant in bundle.variants
        }
        for slug in ("web", "mobile", "store-warszawa", "marketplace", "web-eu")
    }

    web = prices["web"]
    assert len(web) == 600
    assert all(price is not None and price.currency == "PLN" for price in web.values())
    assert all(prices["mobile"][sku] == web[sku] for sku in web)
    assert all(price == web[sku] for sku, price in prices["store-warszawa"].items())
    for sku, price in prices["marketplace"].items():
        base = web[sku]
        assert base is not None
        assert price == base.percentage(10_800, Rounding.HALF_UP)
    for sku, price in prices["web-eu"].items():
        base = web[sku]
        assert price is not None and base is not None
        assert price.currency == "EUR"
        assert price.minor_units % 100 == 99
        assert abs(price.minor_units * 430 - base.minor_units * 100) <= 100 * 430  # 1 € of PLN/4.3
    minimum = min(p.minor_units for p in web.values() if p is not None)
    maximum = max(p.minor_units for p in web.values() if p is not None)
    assert 79_99 <= minimum < maximum <= 900_00  # 79.99 to 900.00 zł


async def test_channels_differ_in_what_they_show_and_how_they_name_it(runtime: Runtime) -> None:
    await seed_demo(runtime)

    shown = {
        slug: {
            bundle.product.slug: bundle.product.name
            for bundle in await visible(runtime.engine, slug)
        }
        for slug in ("web", "mobile", "web-eu", "marketplace", "store-warszawa")
    }

    assert len(shown["web"]) == len(shown["mobile"]) == len(shown["web-eu"]) == 150
    assert len(shown["marketplace"]) == 135
    assert len(shown["store-warszawa"]) == 112
    renamed_in_store = {
        slug: name for slug, name in shown["store-warszawa"].items() if name != shown["web"][slug]
    }
    assert len(renamed_in_store) > 20
    assert any(name.startswith("Kurtka ") for name in renamed_in_store.values())
    retitled = [name for slug, name in shown["marketplace"].items() if name != shown["web"][slug]]
    assert retitled and all(name.startswith("Omnicart Demo Outfitters ") for name in retitled)


async def test_polish_store_names_are_searchable(runtime: Runtime) -> None:
    await seed_demo(runtime)

    found = await visible(runtime.engine, "store-warszawa", search="kurtka")

    assert found
    assert all(
        "Kurtka" in bundle.product.name or "Jacket" in bundle.product.name for bundle in found
    )


async def test_stock_differs_by_location_with_scarce_and_sold_out_variants(
    runtime: Runtime,
) -> None:
    await seed_demo(runtime)

    async with runtime.engine.connect() as connection:
        locations = {location.id: location.slug for location in await all_locations(connection)}
        rows = (await connection.execute(select(table_of(StockLevelRow)))).all()
    by_variant: dict[int, dict[str, int]] = {}
    for row in rows:
        by_variant.setdefault(row.variant_id, {})[locations[row.location_id]] = row.on_hand
    stores = ("warszawa-store", "krakow-store", "gdansk-store")

    assert len(by_variant) == 600
    assert all(len(stock) == 4 for stock in by_variant.values())
    for store in stores:
        quantities = [stock[store] for stock in by_variant.values()]
        assert 50 <= quantities.count(0) <= 150  # sold out here, often not elsewhere
        assert 50 <= sum(1 <= q <= 3 for q in quantities) <= 150  # scarce
        assert max(quantities) <= 12
    warehouse = [stock["blonie-warehouse"] for stock in by_variant.values()]
    assert sum(q >= 8 for q in warehouse) > 500
    assert 0 in warehouse
    # A shopper sees real differences: sold out in one store, on the shelf in another.
    assert any(
        stock["warszawa-store"] == 0 and stock["krakow-store"] >= 4 for stock in by_variant.values()
    )
    sold_out = [stock for stock in by_variant.values() if not any(stock.values())]
    last_units = [
        stock
        for stock in by_variant.values()
        if 1 <= sum(stock.values()) <= 2 and sum(q > 0 for q in stock.values()) == 1
    ]
    assert len(sold_out) >= 10
    assert len(last_units) >= 10


async def test_the_opening_stock_is_counted_like_any_stock_count(runtime: Runtime) -> None:
    await seed_demo(runtime)

    async with runtime.engine.connect() as connection:
        locations = {location.id: location.slug for location in await all_locations(connection)}
        levels = {
            (row.variant_id, row.location_id): row.on_hand
            for row in (await connection.execute(select(table_of(StockLevelRow)))).all()
        }
        movements = [
            movement
            for location_id in locations
            for movement in await stock_movements(
                connection, location_id=location_id, limit=len(levels)
            )
        ]
        events = (
            await connection.execute(select(OutboxEventRow.topic, OutboxEventRow.payload))
        ).all()

    # One SET movement per level, naming the count as its cause, at the demo's base time.
    assert sorted((m.variant_id, m.location_id) for m in movements) == sorted(levels)
    for movement in movements:
        on_hand = levels[(movement.variant_id, movement.location_id)]
        assert movement.kind is MovementKind.SET
        assert movement.delta == movement.on_hand_after == on_hand
        assert (movement.reason, movement.actor) == ("Opening stock count", "demo seed")
        assert movement.created_at == DEMO_BASE_TIME
    # The import published its prices (PriceChanged, issue 15); and, as for any count,
    # a StockChanged per variant and location counted.
    assert {topic for topic, _payload in events} == {PRICE_TOPIC, STOCK_TOPIC}
    events = [event for event in events if event.topic == STOCK_TOPIC]
    assert {payload["cause"] for _topic, payload in events} == {StockChangeCause.SET.value}
    changed: list[tuple[object, object]] = []
    for _topic, payload in events:
        location_ids = payload["location_ids"]
        assert isinstance(location_ids, list)
        changed += [(payload["variant_id"], location_id) for location_id in location_ids]
    assert len(changed) == len(levels)
    assert set(changed) == set(levels)


# ---------------------------------------------------------------- determinism and idempotence


async def test_seeding_again_writes_identical_rows_whatever_the_clock(
    runtime: Runtime, clock: FrozenClock
) -> None:
    await seed_demo(runtime)
    first = await digest(runtime.engine)
    await delete_everything(runtime.engine)
    clock.set(datetime(2031, 7, 1, tzinfo=UTC))

    await seed_demo(runtime)

    assert await digest(runtime.engine) == first


async def test_seeding_twice_does_nothing_the_second_time(runtime: Runtime) -> None:
    await seed_demo(runtime)
    before = await digest(runtime.engine)

    summary = await seed_demo(runtime)

    assert summary == NOT_SEEDED
    assert await digest(runtime.engine) == before


async def test_any_existing_product_stops_the_seed(runtime: Runtime) -> None:
    lone = ProductData("lone-product", "Lone product", variants=[VariantData("LONE-1")])
    await import_catalog(runtime.uow(), CatalogData(products=[lone]))

    summary = await seed_demo(runtime)

    assert summary == NOT_SEEDED
    assert (await row_counts(runtime.engine))["products"] == 1


async def test_forcing_a_second_seed_is_refused_and_writes_nothing(runtime: Runtime) -> None:
    await seed_demo(runtime)
    before = await digest(runtime.engine)

    with pytest.raises(DomainError) as raised:
        await seed_demo(runtime, only_if_empty=False)

    assert raised.value.problems[0].code is ErrorCode.DUPLICATE_SLUG
    assert await digest(runtime.engine) == before
