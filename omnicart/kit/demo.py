"""What a test needs to know of the demo retailer (``core.demo``): its channels and
locations by slug with their global IDs, and a few SKUs every channel sells from stock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.catalog.import_batches import ids_by_key
from core.catalog.tables import VariantRow
from core.channels.tables import ChannelRow, LocationRow
from core.db import table_of
from core.demo.catalog import demo_catalog
from core.demo.retailer import CHANNELS, LOCATIONS, STORE_WAW, WAREHOUSE
from core.demo.stock import demo_stock
from core.runtime import Runtime
from schema.relay import to_global_id

# A SKU in ``Demo.skus`` has at least this many units in the warehouse and in the
# Warszawa store, so a test can sell it online and at the store's till.
STOCKED_UNITS = 5
SKU_COUNT = 3


@dataclass(frozen=True, slots=True)
class Demo:
    """The seeded demo's ids a test reaches the API with (global IDs, as clients use)."""

    # Global ``Channel`` IDs by slug: web, mobile, marketplace, store-warszawa, web-eu.
    channels: Mapping[str, str]
    # Global ``Location`` IDs by slug: blonie-warehouse, warszawa-store, krakow-store,
    # gdansk-store.
    locations: Mapping[str, str]
    # SKUs priced and published in every channel, each with at least STOCKED_UNITS in
    # the warehouse and the Warszawa store; sorted.
    skus: tuple[str, ...]
    # Global ``ProductVariant`` IDs of ``skus``.
    variants: Mapping[str, str]


def stocked_skus() -> tuple[str, ...]:
    """The SKUs of ``Demo.skus``, read from the demo data (the same on every call)."""
    catalog = demo_catalog()
    channels = {channel.slug for channel in CHANNELS}
    units = {(item.sku, item.location_slug): item.quantity for item in demo_stock(catalog)}
    found = sorted(
        variant.sku
        for product in catalog.products
        if channels <= {slug for slug, listing in product.listings.items() if listing.is_published}
        for variant in product.variants
        if channels <= set(variant.prices)
        and min(units.get((variant.sku, place), 0) for place in (WAREHOUSE, STORE_WAW))
        >= STOCKED_UNITS
    )
    return tuple(found[:SKU_COUNT])


async def read_demo(runtime: Runtime) -> Demo:
    """The ids of the seeded demo (``core.demo.seed.seed_demo``)."""
    skus = stocked_skus()
    async with runtime.uow() as uow:
        channels = await ids_by_key(
            uow.session, table_of(ChannelRow), "slug", [channel.slug for channel in CHANNELS]
        )
        locations = await ids_by_key(
            uow.session, table_of(LocationRow), "slug", [location.slug for location in LOCATIONS]
        )
        variants = await ids_by_key(uow.session, table_of(VariantRow), "sku", skus)
    return Demo(
        channels={slug: to_global_id("Channel", key) for slug, key in channels.items()},
        locations={slug: to_global_id("Location", key) for slug, key in locations.items()},
        skus=skus,
        variants={sku: to_global_id("ProductVariant", key) for sku, key in variants.items()},
    )
