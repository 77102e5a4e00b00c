"""What a bulk catalog import is given (``CatalogData``) and what it reports back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.channels.model import ChannelKind, LocationKind
from core.money import Money


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
