"""The benchmark catalog, and wiping, migrating and loading the benchmark database.

500 products in 20 categories, 4 priced variants each, published in one USD channel
supplied by 2 warehouses (benchmarks/README.md). Loading goes through the real bulk
importer (``core.catalog.importer``), so the data is what a merchant import would write.
The importer loads no stock, so every variant's stock at both warehouses
(``stock_units``) is inserted afterwards in chunks, as a stock sync would.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Final

from sqlalchemy import insert, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from core.catalog.import_data import (
    CatalogData,
    CategoryData,
    ChannelData,
    ImportSummary,
    ListingData,
    LocationData,
    ProductData,
    SupplyData,
    VariantData,
)
from core.catalog.importer import import_catalog
from core.catalog.tables import VariantRow
from core.channels.model import ChannelKind, LocationKind
from core.channels.tables import LocationRow
from core.config import Settings, normalise_database_url
from core.db import table_of
from core.inventory.tables import StockLevelRow
from core.migrate import upgrade_url
from core.money import Money
from core.runtime import Runtime

logger = logging.getLogger(__name__)

PRODUCT_COUNT: Final = 500
VARIANTS_PER_PRODUCT: Final = 4
CATEGORY_COUNT: Final = 20
WAREHOUSE_COUNT: Final = 2
DESCRIPTION_LENGTH: Final = 200
CHANNEL_SLUG: Final = "default"
# C1's channel (benchmarks/checkouts.py): the web delivery adapter and the test payment
# gateway enabled, the same warehouses, products CHECKOUT_PRODUCTS listed at the same
# prices. A channel of its own, so that Q1, Q2 and M1 run as before in "default", whose
# queries no plugin hook touches.
CHECKOUT_CHANNEL_SLUG: Final = "checkout"
CHECKOUT_PLUGINS: Final[tuple[tuple[str, dict[str, object]], ...]] = (
    ("web", {}),
    ("test-gateway", {}),
)
CHECKOUT_PRODUCTS: Final = range(300, 350)
CURRENCY: Final = "USD"

# Databases that other things depend on: the benchmark wipes its database, so never these.
_PROTECTED_DATABASES: Final = frozenset({"postgres", "template0", "template1"})
_FILLER: Final = (
    "A sturdy everyday item from the Omnicart benchmark catalog, made to be listed, "
    "priced per channel and sold from two warehouses. "
)


class DatabaseUrlError(ValueError):
    """The ``--db`` URL is not one the benchmark can wipe and load."""


def price_minor_units(product: int, variant: int) -> int:
    return 1000 + 10 * product + variant


def stock_units(product: int, variant: int, warehouse: int) -> int:
    """On-hand units of a variant at ``warehouse-<warehouse>`` (1 or 2); never reserved."""
    if warehouse == 1:
        return 100 + (product * 7 + variant) % 50
    return (product * 3 + variant) % 20


def product_name(product: int) -> str:
    return f"Product {product}"


def product_slug(product: int) -> str:
    return f"product-{product}"


def variant_sku(product: int, variant: int) -> str:
    return f"SKU-{product}-{variant}"


def product_description(product: int) -> str:
    """Exactly ``DESCRIPTION_LENGTH`` characters, different per product."""
    text = f"{product_name(product)}. " + _FILLER * 3
    return text[:DESCRIPTION_LENGTH]


def benchmark_catalog() -> CatalogData:
    warehouses = [f"warehouse-{number}" for number in range(1, WAREHOUSE_COUNT + 1)]
    return CatalogData(
        channels=[
            ChannelData(slug=CHANNEL_SLUG, name="Default", kind=ChannelKind.WEB, currency=CURRENCY),
            ChannelData(
                slug=CHECKOUT_CHANNEL_SLUG,
                name="Checkout",
                kind=ChannelKind.WEB,
                currency=CURRENCY,
                plugins=CHECKOUT_PLUGINS,
            ),
        ],
        locations=[
            LocationData(slug=slug, name=f"Warehouse {number}", kind=LocationKind.WAREHOUSE)
            for number, slug in enumerate(warehouses, start=1)
        ],
        supply=[
            SupplyData(channel_slug=channel, location_slug=slug, priority=priority)
            for channel in (CHANNEL_SLUG, CHECKOUT_CHANNEL_SLUG)
            for priority, slug in enumerate(warehouses)
        ],
        categories=[
            CategoryData(slug=f"category-{k}", name=f"Category {k}", position=k)
            for k in range(CATEGORY_COUNT)
        ],
        products=[_product(i) for i in range(PRODUCT_COUNT)],
    )


def _product(i: int) -> ProductData:
    channels = [CHANNEL_SLUG, *([CHECKOUT_CHANNEL_SLUG] if i in CHECKOUT_PRODUCTS else [])]
    return ProductData(
        slug=product_slug(i),
        name=product_name(i),
        description=product_description(i),
        category_slug=f"category-{i % CATEGORY_COUNT}",
        variants=[
            VariantData(
                sku=variant_sku(i, j),
                name=f"Variant {j}",
                prices={channel: Money(price_minor_units(i, j), CURRENCY) for channel in channels},
            )
            for j in range(VARIANTS_PER_PRODUCT)
        ],
        listings={channel: ListingData(is_published=True) for channel in channels},
    )


# ---------------------------------------------------------------- the database


def check_database_url(url: str) -> str:
    """Return the driver URL (``+aiosqlite``/``+asyncpg``) for a ``--db`` value, or raise."""
    if not url.startswith(("sqlite://", "postgresql://", "postgres://")):
        raise DatabaseUrlError("--db must be sqlite:///path or postgresql://user@host:port/db")
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseUrlError("--db sqlite needs a file path (the server is another process)")
    elif not parsed.database or parsed.database in _PROTECTED_DATABASES:
        raise DatabaseUrlError(
            f"--db names database {parsed.database!r}; the benchmark wipes its database, "
            "so name a dedicated one such as omnicart_bench"
        )
    return parsed.render_as_string(hide_password=False)


def prepare_database(driver_url: str) -> ImportSummary:
    """Wipe the database behind ``driver_url``, migrate it and load the benchmark catalog."""
    parsed = make_url(driver_url)
    if parsed.get_backend_name() == "sqlite":
        _delete_sqlite_files(Path(str(parsed.database)))
    else:
        asyncio.run(_reset_postgresql(parsed))
    upgrade_url(driver_url)
    summary = asyncio.run(_load(driver_url))
    if parsed.get_backend_name() == "postgresql":
        # Autovacuum would analyse the fresh tables within a minute anyway; doing it now
        # gives the planner real statistics before the first measured request.
        asyncio.run(_execute_autocommit(parsed, "ANALYZE"))
    return summary


def _delete_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def _reset_postgresql(url: URL) -> None:
    name = str(url.database)
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if found is None:
                quoted = admin.dialect.identifier_preparer.quote(name)
                await connection.execute(text(f"CREATE DATABASE {quoted}"))
                logger.info("created database %s", name)
    finally:
        await admin.dispose()
    await _execute_autocommit(url, "DROP SCHEMA IF EXISTS public CASCADE", "CREATE SCHEMA public")


async def _execute_autocommit(url: URL, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _load(driver_url: str) -> ImportSummary:
    runtime = Runtime.build(Settings(database_url=driver_url))
    try:
        summary = await import_catalog(runtime.uow(), benchmark_catalog())
        await _load_stock(runtime)
        return summary
    finally:
        await runtime.close()


_STOCK_CHUNK: Final = 500


async def _load_stock(runtime: Runtime) -> None:
    """``stock_units`` of every variant at both warehouses, a chunked Core insert."""
    variants = table_of(VariantRow)
    locations = table_of(LocationRow)
    levels = table_of(StockLevelRow)
    now = runtime.clock.now()
    async with runtime.engine.begin() as connection:
        skus = (await connection.execute(select(variants.c.id, variants.c.sku))).all()
        slugs = (await connection.execute(select(locations.c.id, locations.c.slug))).all()
        warehouse_ids = {slug: id_ for id_, slug in slugs}
        rows = []
        for variant_id, sku in skus:
            product, variant = (int(part) for part in sku.removeprefix("SKU-").split("-"))
            for warehouse in range(1, WAREHOUSE_COUNT + 1):
                rows.append(
                    {
                        "variant_id": variant_id,
                        "location_id": warehouse_ids[f"warehouse-{warehouse}"],
                        "on_hand": stock_units(product, variant, warehouse),
                        "reserved": 0,
                        "version": 0,
                        "updated_at": now,
                    }
                )
        for start in range(0, len(rows), _STOCK_CHUNK):
            await connection.execute(insert(levels), rows[start : start + _STOCK_CHUNK])
