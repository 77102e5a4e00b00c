"""Catalog values: categories, products as seen in a channel, images and variants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.ids import CategoryId, ProductId, VariantId
from core.money import Money


@dataclass(frozen=True, slots=True)
class Category:
    id: CategoryId
    slug: str
    name: str
    description: str
    parent_id: CategoryId | None
    position: int


@dataclass(frozen=True, slots=True)
class Product:
    """A product as one channel shows it: its listing's overrides already applied."""

    id: ProductId
    slug: str
    name: str
    description: str
    category_id: CategoryId | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProductImage:
    id: int
    product_id: ProductId
    position: int
    url: str
    alt: str


@dataclass(frozen=True, slots=True)
class VariantOption:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Variant:
    """A variant with its base price in the channel it was read for (None: not priced there)."""

    id: VariantId
    product_id: ProductId
    sku: str
    name: str
    position: int
    options: tuple[VariantOption, ...]
    base_price: Money | None


@dataclass(frozen=True, slots=True)
class PricedVariant:
    """A variant with the unit price a shopper sees in one channel, after the pricing hook.

    ``unit_price`` is None where the variant is not sold in that channel.
    """

    variant: Variant
    unit_price: Money | None


@dataclass(frozen=True, slots=True)
class Listing:
    """A product's presence in one channel."""

    channel_id: int
    product_id: ProductId
    is_published: bool
    name: str | None
    description: str | None


class ProductSortKey(StrEnum):
    NAME = "NAME"
    PRICE = "PRICE"
    CREATED_AT = "CREATED_AT"
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True, slots=True)
class ProductFilter:
    category_id: CategoryId | None = None
    search: str | None = None
    # True: a variant has stock available (on hand less active reservations) at a
    # location supplying the channel; False: none has. Before plugin buffers.
    in_stock: bool | None = None


@dataclass(frozen=True, slots=True)
class ProductSort:
    key: ProductSortKey | None = None
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position: the sort key it belongs to, that key's value and the product id."""

    key: ProductSortKey
    reverse: bool
    value: str | int | float | None
    product_id: int


@dataclass(frozen=True, slots=True)
class ProductInclude:
    """Which relations a read loads; decided by the GraphQL selection (look-ahead)."""

    variants: bool = False
    images: bool = False
    category: bool = False
    total_count: bool = False
    # The variants' availability in the channel (``variants`` is then loaded too).
    availability: bool = False


@dataclass(frozen=True, slots=True)
class ProductBundle:
    """A product with the relations a read asked for (empty tuples when not asked)."""

    product: Product
    cursor: Cursor
    variants: tuple[Variant, ...] = ()
    images: tuple[ProductImage, ...] = ()
    category: Category | None = None
    # Per variant, in order: units available to sell at the locations supplying the
    # channel, before plugins lower them (``ProductInclude.availability``).
    channel_stock: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ProductPage:
    bundles: tuple[ProductBundle, ...]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None
