"""GraphQL types for the catalog.

Hot reads build these with every selected relation already attached (look-ahead),
so nested fields are plain attributes. Reached any other way (``node``), a relation
falls back to the request's DataLoaders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

import strawberry

from core.catalog import model
from core.inventory.model import ShownAvailability
from core.money import Money as MoneyValue
from schema.context import Context
from schema.execution import preloaded
from schema.inventory.types import (
    GeoPointInput,
    StoreAvailabilityConnection,
    VariantAvailability,
    store_availability,
    variant_availability,
)
from schema.money import Money
from schema.relay import Node, PageInfo, to_global_id


@strawberry.type(description="A node of the category tree.")
class Category(Node):
    id: strawberry.ID
    slug: str
    name: str
    description: str
    category_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    preloaded_children: strawberry.Private[list[Category] | None] = None

    @strawberry.field(
        description="Subcategories in display order.", metadata=preloaded("preloaded_children")
    )
    def children(self, info: strawberry.Info[Context, None]) -> list[Category]:
        if self.preloaded_children is not None:
            return self.preloaded_children
        return cast(  # an awaitable; graphql-core awaits what a resolver returns
            list[Category], _children(info.context, self.category_id)
        )

    @strawberry.field(description="The parent category; null at the top of the tree.")
    def parent(self, info: strawberry.Info[Context, None]) -> Category | None:
        if self.parent_id is None:
            return None
        return cast(Category, _category(info.context, self.parent_id))  # an awaitable

    @classmethod
    def from_model(cls, category: model.Category) -> Category:
        return cls(
            id=strawberry.ID(to_global_id("Category", category.id)),
            slug=category.slug,
            name=category.name,
            description=category.description,
            category_id=category.id,
            parent_id=category.parent_id,
        )


@strawberry.type(description="An image of a product, in display order.")
class ProductImage:
    url: str
    alt: str

    @classmethod
    def from_model(cls, image: model.ProductImage) -> ProductImage:
        return cls(url=image.url, alt=image.alt)


@strawberry.type(description="One option of a variant, such as Colour: Red.")
class VariantOption:
    name: str
    value: str


# The type of a look-ahead's options, built once (``list[...]`` makes a new alias).
_VariantOptions = list[VariantOption]


@strawberry.type(description="A sellable version of a product (one SKU).")
class ProductVariant(Node):
    id: strawberry.ID
    sku: str
    name: str
    options: list[VariantOption]
    price: Money | None = strawberry.field(
        description="Unit price in the channel after plugin adjustments; null when not sold there."
    )
    variant_id: strawberry.Private[int]
    product_id: strawberry.Private[int]
    channel_id: strawberry.Private[int]
    # core's ShownAvailability has the two fields of VariantAvailability, and the type
    # checks no runtime type, so a look-ahead serves the core values as they are.
    preloaded_availability: strawberry.Private[ShownAvailability | None] = None

    @strawberry.field(description="The product this variant belongs to.")
    async def product(self, info: strawberry.Info[Context, None]) -> Product | None:
        loader = info.context.loaders.products_by_id
        found = await loader.load((self.channel_id, self.product_id))
        return Product.from_model(found, self.channel_id) if found is not None else None

    @strawberry.field(
        description=(
            "Stock status, and quantity where the channel shows it: on hand less active "
            "reservations over the locations supplying the channel, after plugin buffers. "
            "In the request's channel unless another is given."
        ),
        metadata=preloaded("preloaded_availability"),
    )
    def availability(
        self, info: strawberry.Info[Context, None], channel: str | None = None
    ) -> VariantAvailability:
        preloaded_value = self.preloaded_availability
        if preloaded_value is not None and (
            channel is None or channel == info.context.known_channel(self.channel_id).slug
        ):
            return cast(VariantAvailability, preloaded_value)
        return cast(  # an awaitable; graphql-core awaits what a resolver returns
            VariantAvailability,
            variant_availability(info.context, channel, self.channel_id, self.variant_id),
        )

    @strawberry.field(
        description=(
            "Pick-up stores nearest first, with the stock at each (as precise as the "
            "request's channel shows) and when the variant could be picked up there."
        )
    )
    def store_availability(
        self, info: strawberry.Info[Context, None], near: GeoPointInput, first: int = 10
    ) -> StoreAvailabilityConnection:
        return cast(
            StoreAvailabilityConnection,
            store_availability(info.context, self.channel_id, self.variant_id, near, first),
        )

    @classmethod
    def from_model(
        cls,
        variant: model.Variant,
        price: MoneyValue | None,
        channel_id: int,
        availability: ShownAvailability | None = None,
    ) -> ProductVariant:
        return cls(
            id=strawberry.ID(to_global_id("ProductVariant", variant.id)),
            sku=variant.sku,
            name=variant.name,
            # core's VariantOption has the same two plain fields and the GraphQL type
            # checks no runtime type, so the values are served as they are.
            options=cast(_VariantOptions, variant.options),
            price=Money.from_value(price) if price is not None else None,
            variant_id=variant.id,
            product_id=variant.product_id,
            channel_id=channel_id,
            preloaded_availability=availability,
        )

    @classmethod
    def from_priced(cls, priced: model.PricedVariant, channel_id: int) -> ProductVariant:
        return cls.from_model(priced.variant, priced.unit_price, channel_id)


@strawberry.type(description="A product as one channel shows it.")
class Product(Node):
    id: strawberry.ID
    slug: str
    name: str = strawberry.field(description="The channel's title when it overrides the name.")
    description: str
    created_at: datetime
    updated_at: datetime
    product_id: strawberry.Private[int]
    channel_id: strawberry.Private[int]
    category_id: strawberry.Private[int | None]
    preloaded_variants: strawberry.Private[list[ProductVariant] | None] = None
    preloaded_images: strawberry.Private[list[ProductImage] | None] = None
    preloaded_category: strawberry.Private[Category | None] = None
    preloaded_in_stock: strawberry.Private[bool | None] = None

    @strawberry.field(
        description=("Whether any variant is available in the channel (after plugin buffers)."),
        metadata=preloaded("preloaded_in_stock"),
    )
    def in_stock(self, info: strawberry.Info[Context, None]) -> bool:
        if self.preloaded_in_stock is not None:
            return self.preloaded_in_stock
        loader = info.context.loaders.in_stock_by_product_id
        return cast(bool, loader.load((self.channel_id, self.product_id)))

    @strawberry.field(
        description="Variants in display order, priced in the channel.",
        metadata=preloaded("preloaded_variants"),
    )
    def variants(self, info: strawberry.Info[Context, None]) -> list[ProductVariant]:
        if self.preloaded_variants is not None:
            return self.preloaded_variants
        return cast(  # an awaitable; graphql-core awaits what a resolver returns
            list[ProductVariant], _variants(info.context, self.channel_id, self.product_id)
        )

    @strawberry.field(
        description="Images in display order.", metadata=preloaded("preloaded_images")
    )
    def images(self, info: strawberry.Info[Context, None]) -> list[ProductImage]:
        if self.preloaded_images is not None:
            return self.preloaded_images
        return cast(list[ProductImage], _images(info.context, self.product_id))  # an awaitable

    @strawberry.field(
        description="The product's category.", metadata=preloaded("preloaded_category")
    )
    def category(self, info: strawberry.Info[Context, None]) -> Category | None:
        if self.category_id is None:
            return None
        if self.preloaded_category is not None:
            return self.preloaded_category
        return cast(Category, _category(info.context, self.category_id))  # an awaitable

    @classmethod
    def from_model(
        cls,
        product: model.Product,
        channel_id: int,
        *,
        variants: list[ProductVariant] | None = None,
        images: Sequence[model.ProductImage] | None = None,
        category: model.Category | None = None,
        in_stock: bool | None = None,
    ) -> Product:
        return cls(
            id=strawberry.ID(to_global_id("Product", product.id)),
            slug=product.slug,
            name=product.name,
            description=product.description,
            created_at=product.created_at,
            updated_at=product.updated_at,
            product_id=product.id,
            channel_id=channel_id,
            category_id=product.category_id,
            preloaded_variants=variants,
            preloaded_images=[ProductImage.from_model(i) for i in images]
            if images is not None
            else None,
            preloaded_category=Category.from_model(category) if category is not None else None,
            preloaded_in_stock=in_stock,
        )


# A relation reached without a look-ahead: its loader's core values, mapped. The
# resolvers return these coroutines instead of awaiting, so a preloaded relation
# costs no coroutine.


async def _children(context: Context, category_id: int) -> list[Category]:
    found = await context.loaders.categories_by_parent_id.load(category_id)
    return [Category.from_model(category) for category in found]


async def _category(context: Context, category_id: int) -> Category | None:
    found = await context.loaders.categories_by_id.load(category_id)
    return Category.from_model(found) if found is not None else None


async def _variants(context: Context, channel_id: int, product_id: int) -> list[ProductVariant]:
    found = await context.loaders.variants_by_product_id.load((channel_id, product_id))
    return [ProductVariant.from_priced(priced, channel_id) for priced in found]


async def _images(context: Context, product_id: int) -> list[ProductImage]:
    found = await context.loaders.images_by_product_id.load(product_id)
    return [ProductImage.from_model(image) for image in found]


@strawberry.type
class ProductEdge:
    cursor: str
    node: Product


@strawberry.type(description="A page of products (Relay connection).")
class ProductConnection:
    edges: list[ProductEdge]
    nodes: list[Product]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="Products matching the filter; computed only when selected."
    )


ProductSortKeys = strawberry.enum(model.ProductSortKey, name="ProductSortKeys")


@strawberry.input
class ProductFilterInput:
    category: strawberry.ID | None = strawberry.field(
        default=None, description="A category ID; its subcategories are included."
    )
    search: str | None = strawberry.field(
        default=None, description="Full-text search over name, description and SKU, ranked."
    )
    in_stock: bool | None = strawberry.field(
        default=None,
        description=(
            "true: only products with a variant available at a location supplying the "
            "channel; false: only those without. Counts stock before plugin buffers "
            "(a marketplace safety buffer), which inStock on a product applies."
        ),
    )


@strawberry.input
class ProductSortInput:
    key: ProductSortKeys  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    reverse: bool = False
