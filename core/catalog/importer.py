"""Bulk catalog import: channels, locations, categories and products in one transaction.

Used by the demo seed, the benchmark loader and (later) an import CLI. Everything is
validated before the first write, so bad input writes nothing; then each table
is filled with chunked executemany INSERTs (parents first, their ids read back by
slug with one SELECT per table), which loads thousands of products in seconds.

Data may refer to channels, locations and categories already in the database;
new rows must not collide with existing ones (the import never updates).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.tables import (
    CategoryRow,
    ProductImageRow,
    ProductListingRow,
    ProductRow,
    ProductSearchRow,
    VariantPriceRow,
    VariantRow,
)
from core.channels.model import ChannelKind, LocationKind
from core.channels.tables import ChannelLocationRow, ChannelPluginRow, ChannelRow, LocationRow
from core.db import Base, table_of
from core.errors import DomainError, ErrorCode, Problem
from core.money import Money, UnknownCurrencyError, exponent_of
from core.plugin_host import PluginHost
from core.uniqueness import violates_unique
from core.uow import UnitOfWork
from core.validation import slug_problems, text_problems

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Rows per INSERT executemany and keys per IN (...) read: far below the bind-parameter
# limits of SQLite (32766) and asyncpg (32767), large enough that round trips are few.
INSERT_CHUNK_SIZE = 1000
SELECT_CHUNK_SIZE = 5000
# A bad file of thousands of products should not produce a DomainError of thousands of lines.
MAX_PROBLEMS = 100

# SKUs are stored space-separated in the search text, so they never contain whitespace.
_SKU = re.compile(r"\S+")


# ---------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class ChannelData:
    slug: str
    name: str
    kind: ChannelKind
    currency: str
    # (plugin name, settings) in the order the channel runs them.
    plugins: Sequence[tuple[str, Mapping[str, Any]]] = ()


@dataclass(frozen=True, slots=True)
class LocationData:
    slug: str
    name: str
    kind: LocationKind
    address_line1: str = ""
    address_line2: str = ""
    postal_code: str = ""
    city: str = ""
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    pickup_enabled: bool = False
    ship_from_store_enabled: bool = False


@dataclass(frozen=True, slots=True)
class SupplyData:
    """A location supplies a channel; lower ``priority`` is drawn on first."""

    channel_slug: str
    location_slug: str
    priority: int = 0


@dataclass(frozen=True, slots=True)
class CategoryData:
    slug: str
    name: str
    description: str = ""
    parent_slug: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class VariantData:
    sku: str
    name: str = ""
    # (option name, value) in display order, e.g. ("Colour", "Black").
    options: Sequence[tuple[str, str]] = ()
    # Base price per channel slug; a channel without one does not sell the variant.
    prices: Mapping[str, Money] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListingData:
    """A product's presence in one channel; ``None`` overrides show the base text."""

    is_published: bool
    name: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ProductData:
    slug: str
    name: str
    description: str = ""
    category_slug: str | None = None
    created_at: datetime | None = None  # the clock's now when None
    updated_at: datetime | None = None  # created_at when None
    images: Sequence[tuple[str, str]] = ()  # (url, alt) in display order
    variants: Sequence[VariantData] = ()
    listings: Mapping[str, ListingData] = field(default_factory=dict)  # by channel slug


@dataclass(frozen=True, slots=True)
class CatalogData:
    channels: Sequence[ChannelData] = ()
    locations: Sequence[LocationData] = ()
    supply: Sequence[SupplyData] = ()
    categories: Sequence[CategoryData] = ()
    products: Sequence[ProductData] = ()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How many rows of each kind the import wrote."""

    channels: int
    channel_plugins: int
    locations: int
    supply_links: int
    categories: int
    products: int
    images: int
    variants: int
    listings: int
    prices: int


# ---------------------------------------------------------------- service


async def import_catalog(uow: UnitOfWork, data: CatalogData) -> ImportSummary:
    """Validate ``data`` and insert all of it in one transaction, or nothing.

    Raises DomainError with every problem found (up to ``MAX_PROBLEMS``): REQUIRED,
    INVALID, INVALID_SLUG, DUPLICATE_SLUG, DUPLICATE_SKU, DUPLICATE, INVALID_CURRENCY,
    CURRENCY_MISMATCH, NEGATIVE_PRICE, UNKNOWN_CHANNEL, NOT_FOUND, CATEGORY_CYCLE,
    INVALID_COORDINATES, UNKNOWN_PLUGIN, INVALID_PLUGIN_SETTINGS.
    """
    async with uow:
        session = uow.session
        existing = await _read_existing(session, data)
        problems = _Validator(existing, uow.plugins).validate(data)
        if problems:
            raise DomainError(_capped(problems))
        try:
            summary = await _Writer(session).write(data, uow.clock.now())
        except IntegrityError as error:
            lost = _lost_race(error)
            if lost is None:
                raise
            raise lost from error
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


@dataclass(frozen=True, slots=True)
class _Existing:
    channel_currencies: Mapping[str, str]
    location_slugs: frozenset[str]
    category_slugs: frozenset[str]
    product_slugs: frozenset[str]
    skus: frozenset[str]
    supply_links: frozenset[tuple[str, str]]


_channels = table_of(ChannelRow)
_locations = table_of(LocationRow)
_links = table_of(ChannelLocationRow)
_categories = table_of(CategoryRow)
_products = table_of(ProductRow)
_variants = table_of(VariantRow)


async def _read_existing(session: AsyncSession, data: CatalogData) -> _Existing:
    channel_rows = (
        await session.execute(select(_channels.c.id, _channels.c.slug, _channels.c.currency))
    ).all()
    location_keys = {location.slug for location in data.locations} | {
        link.location_slug for link in data.supply
    }
    category_keys = {category.slug for category in data.categories}
    category_keys |= {c.parent_slug for c in data.categories if c.parent_slug is not None}
    category_keys |= {p.category_slug for p in data.products if p.category_slug is not None}
    location_ids = await _ids_by_key(session, _locations, "slug", location_keys)
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
    return _Existing(
        channel_currencies={row.slug: row.currency for row in channel_rows},
        location_slugs=frozenset(location_ids),
        category_slugs=frozenset(await _ids_by_key(session, _categories, "slug", category_keys)),
        product_slugs=frozenset(await _ids_by_key(session, _products, "slug", product_slugs)),
        skus=frozenset(await _ids_by_key(session, _variants, "sku", skus)),
        supply_links=frozenset(links),
    )


async def _ids_by_key(
    session: AsyncSession, table: Table, key: str, values: Iterable[str]
) -> dict[str, int]:
    """Ids of the rows whose unique ``key`` column is one of ``values``."""
    column = table.c[key]
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(values), SELECT_CHUNK_SIZE):
        statement = select(column, table.c.id).where(column.in_(chunk))
        for value, row_id in (await session.execute(statement)).all():
            found[value] = row_id
    return found


# ---------------------------------------------------------------- validation


class _Validator:
    """Collects every problem in the data before anything is written."""

    def __init__(self, existing: _Existing, plugins: PluginHost) -> None:
        self._existing = existing
        self._host = plugins
        self.problems: list[Problem] = []

    def validate(self, data: CatalogData) -> list[Problem]:
        currencies = self._channels(data.channels)
        locations = self._locations(data.locations)
        self._supply(data.supply, currencies, locations)
        categories = self._categories(data.categories)
        self._products(data.products, currencies, categories)
        return self.problems

    def _add(self, code: ErrorCode, message: str, path: str) -> None:
        self.problems.append(Problem(code, message, path))

    def _text(self, value: str, path: str, what: str, max_length: int, required: bool) -> None:
        label = f"{what} {path.rsplit('.', 1)[-1].replace('_', ' ')}"
        self.problems += text_problems(
            value, field=path, max_length=max_length, required=required, label=label
        )

    def _slug(self, slug: str, path: str, max_length: int) -> None:
        self.problems += slug_problems(slug, field=path, max_length=max_length)

    def _unique(
        self,
        keys: Sequence[str],
        existing: Iterable[str],
        *,
        prefix: str,
        key_name: str,
        what: str,
        code: ErrorCode = ErrorCode.DUPLICATE_SLUG,
    ) -> None:
        counts = Counter(keys)
        taken = set(existing)
        for index, key in enumerate(keys):
            path = f"{prefix}.{index}.{key_name}"
            if counts[key] > 1:
                self._add(code, f"{what} {key!r} appears more than once in the import", path)
            elif key in taken:
                self._add(code, f"{what} {key!r} already exists", path)

    def _channels(self, channels: Sequence[ChannelData]) -> dict[str, str]:
        existing = self._existing.channel_currencies
        self._unique(
            [c.slug for c in channels], existing, prefix="channels", key_name="slug", what="Channel"
        )
        for index, channel in enumerate(channels):
            path = f"channels.{index}"
            what = f"Channel {channel.slug!r}"
            self._slug(channel.slug, f"{path}.slug", 64)
            self._text(channel.name, f"{path}.name", what, 200, required=True)
            if not isinstance(channel.kind, ChannelKind):
                self._add(ErrorCode.INVALID, f"{what} has an unknown kind", f"{path}.kind")
            try:
                exponent_of(channel.currency)
            except UnknownCurrencyError:
                self._add(
                    ErrorCode.INVALID_CURRENCY,
                    f"{what} has an unknown currency {channel.currency!r}",
                    f"{path}.currency",
                )
            names = [name for name, _ in channel.plugins]
            for position, (name, settings) in enumerate(channel.plugins):
                plugin_path = f"{path}.plugins.{position}"
                if names.count(name) > 1:
                    self._add(
                        ErrorCode.DUPLICATE, f"{what} enables plugin {name!r} twice", plugin_path
                    )
                try:
                    self._host.validate(name, settings)
                except DomainError as error:
                    for problem in error.problems:
                        # The host names paths from "plugins"; anchor them at this channel.
                        self._add(problem.code, f"{what}: {problem.message}", plugin_path)
        return {**existing, **{channel.slug: channel.currency for channel in channels}}

    def _locations(self, locations: Sequence[LocationData]) -> set[str]:
        existing = self._existing.location_slugs
        self._unique(
            [x.slug for x in locations],
            existing,
            prefix="locations",
            key_name="slug",
            what="Location",
        )
        for index, location in enumerate(locations):
            path = f"locations.{index}"
            what = f"Location {location.slug!r}"
            self._slug(location.slug, f"{path}.slug", 64)
            self._text(location.name, f"{path}.name", what, 200, required=True)
            if not isinstance(location.kind, LocationKind):
                self._add(ErrorCode.INVALID, f"{what} has an unknown kind", f"{path}.kind")
            for name, value, limit in (
                ("address_line1", location.address_line1, 200),
                ("address_line2", location.address_line2, 200),
                ("postal_code", location.postal_code, 32),
                ("city", location.city, 100),
            ):
                self._text(value, f"{path}.{name}", what, limit, required=False)
            if location.country_code and not re.fullmatch(r"[A-Z]{2}", location.country_code):
                self._add(
                    ErrorCode.INVALID,
                    f"{what} needs a two-letter upper-case country code",
                    f"{path}.country_code",
                )
            if not _coordinates_valid(location.latitude, location.longitude):
                self._add(
                    ErrorCode.INVALID_COORDINATES,
                    f"{what} needs both latitude (-90..90) and longitude (-180..180), or neither",
                    f"{path}.latitude",
                )
        return set(existing) | {location.slug for location in locations}

    def _supply(
        self, links: Sequence[SupplyData], currencies: Mapping[str, str], locations: set[str]
    ) -> None:
        seen: set[tuple[str, str]] = set()
        for index, link in enumerate(links):
            path = f"supply.{index}"
            key = (link.channel_slug, link.location_slug)
            if link.channel_slug not in currencies:
                self._add(
                    ErrorCode.UNKNOWN_CHANNEL,
                    f"Supply link names an unknown channel {link.channel_slug!r}",
                    f"{path}.channel_slug",
                )
            if link.location_slug not in locations:
                self._add(
                    ErrorCode.NOT_FOUND,
                    f"Supply link names an unknown location {link.location_slug!r}",
                    f"{path}.location_slug",
                )
            if key in seen or key in self._existing.supply_links:
                self._add(
                    ErrorCode.DUPLICATE,
                    f"Location {link.location_slug!r} already supplies channel "
                    f"{link.channel_slug!r}",
                    path,
                )
            seen.add(key)

    def _categories(self, categories: Sequence[CategoryData]) -> set[str]:
        existing = self._existing.category_slugs
        self._unique(
            [c.slug for c in categories],
            existing,
            prefix="categories",
            key_name="slug",
            what="Category",
        )
        known = set(existing) | {category.slug for category in categories}
        for index, category in enumerate(categories):
            path = f"categories.{index}"
            what = f"Category {category.slug!r}"
            self._slug(category.slug, f"{path}.slug", 128)
            self._text(category.name, f"{path}.name", what, 200, required=True)
            if category.parent_slug is not None and category.parent_slug not in known:
                self._add(
                    ErrorCode.NOT_FOUND,
                    f"{what} names an unknown parent {category.parent_slug!r}",
                    f"{path}.parent_slug",
                )
        for index in _cycle_members(categories):
            self._add(
                ErrorCode.CATEGORY_CYCLE,
                f"Category {categories[index].slug!r} is its own ancestor",
                f"categories.{index}.parent_slug",
            )
        return known

    def _products(
        self,
        products: Sequence[ProductData],
        currencies: Mapping[str, str],
        categories: set[str],
    ) -> None:
        self._unique(
            [p.slug for p in products],
            self._existing.product_slugs,
            prefix="products",
            key_name="slug",
            what="Product",
        )
        sku_paths = [
            (variant.sku, f"products.{index}.variants.{position}.sku")
            for index, product in enumerate(products)
            for position, variant in enumerate(product.variants)
        ]
        sku_counts = Counter(sku for sku, _ in sku_paths)
        for sku, path in sku_paths:
            if sku_counts[sku] > 1:
                message = f"SKU {sku!r} appears more than once in the import"
                self._add(ErrorCode.DUPLICATE_SKU, message, path)
            elif sku in self._existing.skus:
                self._add(ErrorCode.DUPLICATE_SKU, f"SKU {sku!r} already exists", path)
        for index, product in enumerate(products):
            self._product(product, f"products.{index}", currencies, categories)

    def _product(
        self, product: ProductData, path: str, currencies: Mapping[str, str], categories: set[str]
    ) -> None:
        what = f"Product {product.slug!r}"
        self._slug(product.slug, f"{path}.slug", 128)
        self._text(product.name, f"{path}.name", what, 250, required=True)
        if product.category_slug is not None and product.category_slug not in categories:
            self._add(
                ErrorCode.NOT_FOUND,
                f"{what} names an unknown category {product.category_slug!r}",
                f"{path}.category_slug",
            )
        for name, moment in (
            ("created_at", product.created_at),
            ("updated_at", product.updated_at),
        ):
            if moment is not None and moment.tzinfo is None:
                self._add(
                    ErrorCode.INVALID, f"{what} has a {name} without a timezone", f"{path}.{name}"
                )
        for position, (url, alt) in enumerate(product.images):
            self._text(url, f"{path}.images.{position}.url", what, 2000, required=True)
            self._text(alt, f"{path}.images.{position}.alt", what, 500, required=False)
        for slug, listing in product.listings.items():
            listing_path = f"{path}.listings.{slug}"
            if slug not in currencies:
                self._add(
                    ErrorCode.UNKNOWN_CHANNEL,
                    f"{what} is listed in an unknown channel {slug!r}",
                    listing_path,
                )
            if listing.name is not None:
                self._text(listing.name, f"{listing_path}.name", what, 250, required=True)
        for position, variant in enumerate(product.variants):
            self._variant(variant, f"{path}.variants.{position}", what, currencies)

    def _variant(
        self, variant: VariantData, path: str, what: str, currencies: Mapping[str, str]
    ) -> None:
        if not _SKU.fullmatch(variant.sku) or len(variant.sku) > 64:
            self._add(
                ErrorCode.INVALID,
                f"{what} has a SKU {variant.sku!r} that is empty, "
                "longer than 64 characters or contains spaces",
                f"{path}.sku",
            )
        self._text(variant.name, f"{path}.name", what, 250, required=False)
        option_names = [name for name, _ in variant.options]
        for position, (name, value) in enumerate(variant.options):
            option_path = f"{path}.options.{position}"
            self._text(name, f"{option_path}.name", f"{what} option", 200, required=True)
            self._text(value, f"{option_path}.value", f"{what} option", 200, required=True)
            if option_names.count(name) > 1:
                self._add(
                    ErrorCode.DUPLICATE,
                    f"SKU {variant.sku!r} has the option {name!r} more than once",
                    option_path,
                )
        for slug, price in variant.prices.items():
            price_path = f"{path}.prices.{slug}"
            currency = currencies.get(slug)
            if currency is None:
                self._add(
                    ErrorCode.UNKNOWN_CHANNEL,
                    f"SKU {variant.sku!r} is priced in an unknown channel {slug!r}",
                    price_path,
                )
            elif price.currency != currency:
                self._add(
                    ErrorCode.CURRENCY_MISMATCH,
                    f"SKU {variant.sku!r} is priced in {price.currency} in channel {slug!r}, "
                    f"which sells in {currency}",
                    price_path,
                )
            if price.is_negative():
                self._add(
                    ErrorCode.NEGATIVE_PRICE,
                    f"SKU {variant.sku!r} has a negative price in channel {slug!r}",
                    price_path,
                )


def _coordinates_valid(latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None:
        return latitude is None and longitude is None
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def _cycle_members(categories: Sequence[CategoryData]) -> list[int]:
    """Indexes of new categories that reach themselves through their parents."""
    parent_of = {category.slug: category.parent_slug for category in categories}
    members: list[int] = []
    for index, category in enumerate(categories):
        slug: str | None = category.parent_slug
        for _ in range(len(categories)):
            if slug is None or slug == category.slug:
                break
            slug = parent_of.get(slug)
        if slug == category.slug:
            members.append(index)
    return members


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [
        *problems[:MAX_PROBLEMS],
        Problem(ErrorCode.INVALID, f"... and {more} more problems", None),
    ]


# ---------------------------------------------------------------- writing


class _Writer:
    """Inserts validated data parents first, reading generated ids back by slug."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _insert(self, row_class: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
        # Core executemany, not the ORM's bulk path: no identity map, no per-row objects.
        for chunk in _chunks(rows, INSERT_CHUNK_SIZE):
            await self._session.execute(insert(table_of(row_class)), chunk)

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
        await self._insert(ChannelPluginRow, plugins)
        location_ids = await self._locations(data.locations)
        links = [
            {
                "channel_id": channel_ids[link.channel_slug],
                "location_id": location_ids[link.location_slug],
                "priority": link.priority,
            }
            for link in data.supply
        ]
        await self._insert(ChannelLocationRow, links)
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
        await self._insert(ChannelRow, rows)
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
        await self._insert(LocationRow, rows)
        return await _ids_by_key(self._session, _locations, "slug", {x.slug for x in locations})

    async def _categories(
        self, categories: Sequence[CategoryData], products: Sequence[ProductData]
    ) -> dict[str, int]:
        referenced = {c.parent_slug for c in categories if c.parent_slug is not None}
        referenced |= {p.category_slug for p in products if p.category_slug is not None}
        new_slugs = {category.slug for category in categories}
        ids = await _ids_by_key(self._session, _categories, "slug", referenced - new_slugs)
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
            await self._insert(CategoryRow, rows)
            ids.update(
                await _ids_by_key(self._session, _categories, "slug", {c.slug for c in level})
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
        await self._insert(ProductRow, rows)
        return await _ids_by_key(self._session, _products, "slug", [p.slug for p in products])

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
        await self._insert(VariantRow, rows)
        skus = [variant.sku for product in products for variant in product.variants]
        return await _ids_by_key(self._session, _variants, "sku", skus)

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
        await self._insert(VariantPriceRow, prices)
        await self._insert(ProductImageRow, images)
        await self._insert(ProductListingRow, listings)
        await self._insert(ProductSearchRow, search)
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
        # Deduplicated as core.catalog.services.refresh_product_search does, so a later
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


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
