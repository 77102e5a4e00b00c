"""Bulk catalog import: channels, locations, categories and products in one transaction.

Used by the demo seed, the benchmark loader and (later) an import CLI. The input is
``core.catalog.import_data``. Everything is validated before the first write
(``core.catalog.import_checks``), so bad input writes nothing; then each table
is filled with chunked executemany INSERTs (parents first, their ids read back by
slug with one SELECT per table; ``core.catalog.import_batches``), which loads
thousands of products in seconds.

Data may refer to channels, locations and categories already in the database;
new rows must not collide with existing ones (the import never updates).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.events import PriceChanged
from core.catalog.import_batches import ids_by_key, insert_rows
from core.catalog.import_checks import ExistingRows, check_catalog
from core.catalog.import_data import (
    CatalogData,
    CategoryData,
    ChannelData,
    ImportSummary,
    LocationData,
    ProductData,
)
from core.catalog.tables import (
    CategoryRow,
    ProductImageRow,
    ProductListingRow,
    ProductRow,
    ProductSearchRow,
    VariantPriceRow,
    VariantRow,
)
from core.channels.tables import ChannelLocationRow, ChannelPluginRow, ChannelRow, LocationRow
from core.db import Base, table_of
from core.db.uniqueness import violates_unique
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId, VariantId
from core.uow import UnitOfWork

logger = logging.getLogger(__name__)

_channels = table_of(ChannelRow)
_locations = table_of(LocationRow)
_links = table_of(ChannelLocationRow)
_categories = table_of(CategoryRow)
_products = table_of(ProductRow)
_variants = table_of(VariantRow)


# ---------------------------------------------------------------- service


async def import_catalog(uow: UnitOfWork, data: CatalogData) -> ImportSummary:
    """Validate ``data`` and insert all of it in one transaction, or nothing.

    Raises DomainError with every problem found (up to ``import_checks.MAX_PROBLEMS``):
    REQUIRED, INVALID, INVALID_SLUG, DUPLICATE_SLUG, DUPLICATE_SKU, DUPLICATE,
    INVALID_CURRENCY, CURRENCY_MISMATCH, NEGATIVE_PRICE, UNKNOWN_CHANNEL, NOT_FOUND,
    CATEGORY_CYCLE, INVALID_COORDINATES, UNKNOWN_PLUGIN, INVALID_PLUGIN_SETTINGS.
    """
    async with uow:
        session = uow.session
        existing = await _read_existing(session, data)
        check_catalog(data, existing, uow.plugins)
        try:
            writer = _Writer(session)
            summary = await writer.write(data, uow.clock.now())
        except IntegrityError as error:
            lost = _lost_race(error)
            if lost is None:
                raise
            raise lost from error
        for event in writer.price_changes:
            uow.record(event)
        await uow.commit()
    logger.info(
        "catalog imported channels=%d locations=%d categories=%d products=%d variants=%d",
        summary.channels,
        summary.locations,
        summary.categories,
        summary.products,
        summary.variants,
    )
    return summary


# ---------------------------------------------------------------- what the database holds


async def _read_existing(session: AsyncSession, data: CatalogData) -> ExistingRows:
    channel_rows = (
        await session.execute(select(_channels.c.id, _channels.c.slug, _channels.c.currency))
    ).all()
    location_keys = {location.slug for location in data.locations} | {
        link.location_slug for link in data.supply
    }
    category_keys = {category.slug for category in data.categories}
    category_keys |= {c.parent_slug for c in data.categories if c.parent_slug is not None}
    category_keys |= {p.category_slug for p in data.products if p.category_slug is not None}
    location_ids = await ids_by_key(session, _locations, "slug", location_keys)
    links: set[tuple[str, str]] = set()
    if channel_rows and location_ids:
        channel_slugs = {row.id: row.slug for row in channel_rows}
        location_slugs = {location_id: slug for slug, location_id in location_ids.items()}
        statement = select(_links.c.channel_id, _links.c.location_id).where(
            _links.c.location_id.in_(list(location_slugs))
        )
        for row in (await session.execute(statement)).all():
            links.add((channel_slugs[row.channel_id], location_slugs[row.location_id]))
    product_slugs = {product.slug for product in data.products}
    skus = {variant.sku for product in data.products for variant in product.variants}
    return ExistingRows(
        channel_currencies={row.slug: row.currency for row in channel_rows},
        location_slugs=frozenset(location_ids),
        category_slugs=frozenset(await ids_by_key(session, _categories, "slug", category_keys)),
        product_slugs=frozenset(await ids_by_key(session, _products, "slug", product_slugs)),
        skus=frozenset(await ids_by_key(session, _variants, "sku", skus)),
        supply_links=frozenset(links),
    )


# ---------------------------------------------------------------- writing


class _Writer:
    """Inserts validated data parents first, reading generated ids back by slug."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # The prices written, as events for the webhooks (issue 15).
        self.price_changes: list[PriceChanged] = []

    async def write(self, data: CatalogData, now: datetime) -> ImportSummary:
        channel_ids = await self._channels(data.channels)
        plugins = [
            {
                "channel_id": channel_ids[channel.slug],
                "plugin": name,
                "settings": dict(settings),
                "position": position,
            }
            for channel in data.channels
            for position, (name, settings) in enumerate(channel.plugins)
        ]
        await insert_rows(self._session, ChannelPluginRow, plugins)
        location_ids = await self._locations(data.locations)
        links = [
            {
                "channel_id": channel_ids[link.channel_slug],
                "location_id": location_ids[link.location_slug],
                "priority": link.priority,
            }
            for link in data.supply
        ]
        await insert_rows(self._session, ChannelLocationRow, links)
        category_ids = await self._categories(data.categories, data.products)
        product_ids = await self._products(data.products, now, category_ids)
        variant_ids = await self._variants(data.products, product_ids)
        written = await self._product_relations(
            data.products, channel_ids, product_ids, variant_ids
        )
        return ImportSummary(
            channels=len(data.channels),
            channel_plugins=len(plugins),
            locations=len(data.locations),
            supply_links=len(links),
            categories=len(data.categories),
            products=len(product_ids),
            images=written.images,
            variants=len(variant_ids),
            listings=written.listings,
            prices=written.prices,
        )

    async def _channels(self, channels: Sequence[ChannelData]) -> dict[str, int]:
        rows = [
            {"slug": c.slug, "name": c.name, "kind": c.kind.value, "currency": c.currency}
            for c in channels
        ]
        await insert_rows(self._session, ChannelRow, rows)
        # Every channel, old and new: listings and prices may name either.
        statement = select(_channels.c.slug, _channels.c.id)
        return {row.slug: row.id for row in (await self._session.execute(statement)).all()}

    async def _locations(self, locations: Sequence[LocationData]) -> dict[str, int]:
        rows = [
            {
                "slug": x.slug,
                "name": x.name,
                "kind": x.kind.value,
                "address_line1": x.address_line1,
                "address_line2": x.address_line2,
                "postal_code": x.postal_code,
                "city": x.city,
                "country_code": x.country_code,
                "latitude": x.latitude,
                "longitude": x.longitude,
                "pickup_enabled": x.pickup_enabled,
                "ship_from_store_enabled": x.ship_from_store_enabled,
            }
            for x in locations
        ]
        await insert_rows(self._session, LocationRow, rows)
        return await ids_by_key(self._session, _locations, "slug", {x.slug for x in locations})

    async def _categories(
        self, categories: Sequence[CategoryData], products: Sequence[ProductData]
    ) -> dict[str, int]:
        referenced = {c.parent_slug for c in categories if c.parent_slug is not None}
        referenced |= {p.category_slug for p in products if p.category_slug is not None}
        new_slugs = {category.slug for category in categories}
        ids = await ids_by_key(self._session, _categories, "slug", referenced - new_slugs)
        # A parent's id must exist before its children are written: one level at a time.
        pending = list(categories)
        while pending:
            level = [c for c in pending if c.parent_slug is None or c.parent_slug in ids]
            if not level:  # validation rejects cycles and unknown parents, so never reached
                raise RuntimeError("categories left without a writable parent")
            rows = [
                {
                    "slug": c.slug,
                    "name": c.name,
                    "description": c.description,
                    "parent_id": ids[c.parent_slug] if c.parent_slug is not None else None,
                    "position": c.position,
                }
                for c in level
            ]
            await insert_rows(self._session, CategoryRow, rows)
            ids.update(
                await ids_by_key(self._session, _categories, "slug", {c.slug for c in level})
            )
            written = {c.slug for c in level}
            pending = [c for c in pending if c.slug not in written]
        return ids

    async def _products(
        self, products: Sequence[ProductData], now: datetime, category_ids: Mapping[str, int]
    ) -> dict[str, int]:
        rows = []
        for product in products:
            created_at = product.created_at or now
            category = product.category_slug
            rows.append(
                {
                    "slug": product.slug,
                    "name": product.name,
                    "description": product.description,
                    "category_id": category_ids[category] if category is not None else None,
                    "created_at": created_at,
                    "updated_at": product.updated_at or created_at,
                }
            )
        await insert_rows(self._session, ProductRow, rows)
        return await ids_by_key(self._session, _products, "slug", [p.slug for p in products])

    async def _variants(
        self, products: Sequence[ProductData], product_ids: Mapping[str, int]
    ) -> dict[str, int]:
        rows = [
            {
                "product_id": product_ids[product.slug],
                "sku": variant.sku,
                "name": variant.name,
                "position": position,
                "options": [{"name": name, "value": value} for name, value in variant.options],
            }
            for product in products
            for position, variant in enumerate(product.variants)
        ]
        await insert_rows(self._session, VariantRow, rows)
        skus = [variant.sku for product in products for variant in product.variants]
        return await ids_by_key(self._session, _variants, "sku", skus)

    async def _product_relations(
        self,
        products: Sequence[ProductData],
        channel_ids: Mapping[str, int],
        product_ids: Mapping[str, int],
        variant_ids: Mapping[str, int],
    ) -> _RelationCounts:
        prices = [
            {
                "channel_id": channel_ids[slug],
                "variant_id": variant_ids[variant.sku],
                "amount_minor": price.minor_units,
                "currency": price.currency,
            }
            for product in products
            for variant in product.variants
            for slug, price in variant.prices.items()
        ]
        images = [
            {"product_id": product_ids[product.slug], "position": position, "url": url, "alt": alt}
            for product in products
            for position, (url, alt) in enumerate(product.images)
        ]
        listings = [
            {
                "channel_id": channel_ids[slug],
                "product_id": product_ids[product.slug],
                "is_published": listing.is_published,
                "name": listing.name,
                "description": listing.description,
            }
            for product in products
            for slug, listing in product.listings.items()
        ]
        search = [
            {"product_id": product_ids[product.slug], **_search_text(product, channel_ids)}
            for product in products
        ]
        await insert_rows(self._session, VariantPriceRow, prices)
        self.price_changes = [
            PriceChanged(
                variant_id=VariantId(variant_ids[variant.sku]),
                sku=variant.sku,
                channel_id=ChannelId(channel_ids[slug]),
                price=price,
            )
            for product in products
            for variant in product.variants
            for slug, price in variant.prices.items()
        ]
        await insert_rows(self._session, ProductImageRow, images)
        await insert_rows(self._session, ProductListingRow, listings)
        await insert_rows(self._session, ProductSearchRow, search)
        return _RelationCounts(images=len(images), listings=len(listings), prices=len(prices))


@dataclass(frozen=True, slots=True)
class _RelationCounts:
    images: int
    listings: int
    prices: int


def _search_text(product: ProductData, channel_ids: Mapping[str, int]) -> dict[str, str]:
    """What ``product_search`` holds: base name plus every listing's name override, SKUs, text."""
    # Overrides in channel-id order, the order a rebuild from the tables would read them in.
    overrides = sorted(
        (channel_ids[slug], listing.name)
        for slug, listing in product.listings.items()
        if listing.name is not None
    )
    names = [product.name, *(name for _, name in overrides)]
    return {
        # Deduplicated as core.catalog.search_index.refresh_product_search does, so a later
        # refresh of the product writes the same row.
        "name": " ".join(dict.fromkeys(names)),
        "skus": " ".join(variant.sku for variant in product.variants),
        "description": product.description,
    }


# Unique keys another transaction may take between the checks and the inserts.
_UNIQUE_KEYS: tuple[tuple[type[Base], str, ErrorCode, str], ...] = (
    (ChannelRow, "slug", ErrorCode.DUPLICATE_SLUG, "channel"),
    (LocationRow, "slug", ErrorCode.DUPLICATE_SLUG, "location"),
    (CategoryRow, "slug", ErrorCode.DUPLICATE_SLUG, "category"),
    (ProductRow, "slug", ErrorCode.DUPLICATE_SLUG, "product"),
    (VariantRow, "sku", ErrorCode.DUPLICATE_SKU, "variant"),
)


def _lost_race(error: IntegrityError) -> DomainError | None:
    """The DomainError for a unique key a concurrent change took after the checks, if that."""
    for row_class, column, code, what in _UNIQUE_KEYS:
        if violates_unique(error, table_of(row_class), column):
            return DomainError.single(
                code,
                f"A {what} {column} in the import was taken by another change while it ran; "
                "nothing was written, so the import can be run again",
            )
    return None
