"""Checks on a bulk catalog import: everything is validated before the first write.

The data is checked against itself (duplicate slugs and SKUs, unknown parents,
category cycles) and against what the database already holds (``ExistingRows``, read
by the importer in the same transaction), so bad input writes nothing and the import
reports every problem at once (up to ``MAX_PROBLEMS``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.catalog.import_data import (
    CatalogData,
    CategoryData,
    ChannelData,
    LocationData,
    ProductData,
    SupplyData,
    VariantData,
)
from core.channels.model import ChannelKind, LocationKind
from core.errors import DomainError, ErrorCode, Problem
from core.money import UnknownCurrencyError, exponent_of
from core.plugin_host import PluginHost
from core.validation import slug_problems, text_problems

# A bad file of thousands of products should not produce a DomainError of thousands of lines.
MAX_PROBLEMS = 100

# SKUs are stored space-separated in the search text, so they never contain whitespace.
_SKU = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class ExistingRows:
    """The keys already in the database that new rows must not repeat or may refer to."""

    channel_currencies: Mapping[str, str]
    location_slugs: frozenset[str]
    category_slugs: frozenset[str]
    product_slugs: frozenset[str]
    skus: frozenset[str]
    supply_links: frozenset[tuple[str, str]]


def check_catalog(data: CatalogData, existing: ExistingRows, plugins: PluginHost) -> None:
    """Raise DomainError with every problem in ``data`` (up to ``MAX_PROBLEMS``)."""
    problems = _Validator(existing, plugins).validate(data)
    if problems:
        raise DomainError(_capped(problems))


# ---------------------------------------------------------------- validation


class _Validator:
    """Collects every problem in the data before anything is written."""

    def __init__(self, existing: ExistingRows, plugins: PluginHost) -> None:
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
