"""Time the bulk catalog import: ``python -m benchmarks.import_catalog [--db URL] [--products N]``.

Imports a synthetic catalog (default 2,000 products x 4 variants, priced and listed in
5 channels, 2 images each) into a freshly migrated database and prints the wall time of
``core.catalog.importer.import_catalog`` alone. Without ``--db`` a temporary SQLite file
is used. A PostgreSQL ``--db`` is WIPED (``DROP SCHEMA public CASCADE``): name a
dedicated database such as ``omnicart_import_bench``; it must already exist.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

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
from core.channels.model import ChannelKind, LocationKind
from core.clock import FrozenClock
from core.config import Settings, normalise_database_url
from core.db import create_engine
from core.migrate import upgrade_to_head
from core.money import Money
from core.runtime import Runtime

VARIANTS_PER_PRODUCT = 4
CATEGORY_COUNT = 20
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
_CHANNELS = (
    ("web", "PLN"),
    ("mobile", "PLN"),
    ("marketplace", "PLN"),
    ("store", "PLN"),
    ("web-eu", "EUR"),
)
_PROTECTED_DATABASES = frozenset({"postgres", "template0", "template1"})


def synthetic_catalog(product_count: int) -> CatalogData:
    locations = [f"warehouse-{number}" for number in range(1, 5)]
    return CatalogData(
        channels=[
            ChannelData(slug, slug.title(), ChannelKind.WEB, currency)
            for slug, currency in _CHANNELS
        ],
        locations=[LocationData(slug, slug.title(), LocationKind.WAREHOUSE) for slug in locations],
        supply=[
            SupplyData(channel, location, priority)
            for channel, _ in _CHANNELS
            for priority, location in enumerate(locations)
        ],
        categories=[CategoryData(f"category-{k}", f"Category {k}") for k in range(CATEGORY_COUNT)],
        products=[_product(number) for number in range(product_count)],
    )


def _product(number: int) -> ProductData:
    return ProductData(
        slug=f"product-{number}",
        name=f"Product {number}",
        description=f"Product {number}, a synthetic item for timing the bulk import.",
        category_slug=f"category-{number % CATEGORY_COUNT}",
        created_at=BASE_TIME + timedelta(minutes=number),
        images=[(f"https://images.example.com/bench/{number}-{k}.jpg", "view") for k in (1, 2)],
        variants=[
            VariantData(
                sku=f"BENCH-{number}-{variant}",
                name=f"Variant {variant}",
                options=[("Size", str(variant))],
                prices={
                    slug: Money(1_000 + number + variant, currency) for slug, currency in _CHANNELS
                },
            )
            for variant in range(VARIANTS_PER_PRODUCT)
        ],
        listings={
            slug: ListingData(number % 10 != 0, f"Produkt {number}" if slug == "store" else None)
            for slug, _ in _CHANNELS
        },
    )


async def measure(url: str, product_count: int) -> tuple[ImportSummary, float]:
    """Migrate the empty database at ``url``, import the catalog, return the import's time."""
    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade_to_head(engine)
        runtime = Runtime.build(
            Settings(database_url=url), engine=engine, clock=FrozenClock(BASE_TIME)
        )
        data = synthetic_catalog(product_count)
        started = time.perf_counter()
        summary = await import_catalog(runtime.uow(), data)
        return summary, time.perf_counter() - started
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--products", type=int, default=2_000)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = normalise_database_url(options.db or f"sqlite:///{Path(directory) / 'import.db'}")
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql" and (
            not parsed.database or parsed.database in _PROTECTED_DATABASES
        ):
            parser.error("--db is wiped: name a dedicated PostgreSQL database")
        summary, seconds = asyncio.run(measure(url, options.products))
    rows = summary.products + summary.variants + summary.prices + summary.listings + summary.images
    print(
        f"{parsed.get_backend_name()}: imported {summary.products} products, "
        f"{summary.variants} variants, {summary.prices} prices, {summary.listings} listings, "
        f"{summary.images} images in {seconds:.2f} s ({rows / seconds:,.0f} rows/s)"
    )


if __name__ == "__main__":
    main()
