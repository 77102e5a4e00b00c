"""Catalog mutations (staff, ``catalog:write``).

Payloads show what staff changed: products and variants as the request's channel
(argument-free: the ``Omnicart-Channel`` header or the default) sees them, whether
published there or not; listing and price mutations use the channel they name.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from core.catalog import model, services
from core.channels.model import Channel
from core.errors import DomainError
from core.ids import CategoryId, ProductId, VariantId
from core.unset import Unset
from schema.catalog.types import Category, Product, ProductVariant
from schema.context import Context
from schema.errors import UserError
from schema.inputs import (
    clearable,
    decode_id,
    given,
    given_as,
    input_channel,
    parse_money,
    payload_errors,
)
from schema.money import MoneyInput
from schema.permissions import CanWriteCatalog

Info = strawberry.Info[Context, None]


# ---------------------------------------------------------------- inputs


@strawberry.input
class CategoryCreateInput:
    slug: str = strawberry.field(description="Lower-case letters, digits and hyphens.")
    name: str
    description: str = ""
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The parent category; none for a top-level one."
    )
    position: int = strawberry.field(default=0, description="Order among its siblings.")


@strawberry.input(
    description="Fields left out keep their value; so does null, unless a field says it clears."
)
class CategoryUpdateInput:
    slug: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null moves the category to the top level."
    )
    position: int | None = strawberry.UNSET


@strawberry.input
class ProductImageInput:
    url: str = strawberry.field(description="Absolute http:// or https:// URL.")
    alt: str = ""


@strawberry.input
class ProductCreateInput:
    slug: str = strawberry.field(description="Lower-case letters, digits and hyphens.")
    name: str
    description: str = ""
    category_id: strawberry.ID | None = None
    images: list[ProductImageInput] = strawberry.field(
        default_factory=list, description="Images in display order."
    )


@strawberry.input(
    description="Fields left out keep their value; so does null, unless a field says it clears."
)
class ProductUpdateInput:
    slug: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    category_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null removes the product from its category."
    )
    images: list[ProductImageInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every image when given."
    )


@strawberry.input
class VariantOptionInput:
    name: str = strawberry.field(description="e.g. 'Colour'; unique within the variant.")
    value: str = strawberry.field(description="e.g. 'Red'.")


@strawberry.input
class ProductVariantCreateInput:
    product_id: strawberry.ID
    sku: str = strawberry.field(description="Unique across the catalog; no spaces.")
    name: str = ""
    options: list[VariantOptionInput] = strawberry.field(default_factory=list)
    position: int = strawberry.field(default=0, description="Order among the variants.")


@strawberry.input(description="Fields left out (or null) keep their value.")
class ProductVariantUpdateInput:
    sku: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    options: list[VariantOptionInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every option when given."
    )
    position: int | None = strawberry.UNSET


@strawberry.input(description="A product's presence in one channel; replaces any earlier one.")
class ProductListingSetInput:
    product_id: strawberry.ID
    channel: str = strawberry.field(description="The channel's slug.")
    is_published: bool
    name: str | None = strawberry.field(
        default=None, description="The channel's title for the product; null for its own name."
    )
    description: str | None = strawberry.field(
        default=None, description="The channel's description; null for the product's own."
    )


@strawberry.input
class ProductVariantPriceSetInput:
    variant_id: strawberry.ID
    channel: str = strawberry.field(description="The channel's slug.")
    price: MoneyInput = strawberry.field(description="In the channel's currency; not negative.")


@strawberry.input
class ProductVariantPriceRemoveInput:
    variant_id: strawberry.ID
    channel: str = strawberry.field(description="The channel's slug.")


# ---------------------------------------------------------------- payloads


@strawberry.type
class CategoryCreatePayload:
    category: Category | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CategoryUpdatePayload:
    category: Category | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductCreatePayload:
    product: Product | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductUpdatePayload:
    product: Product | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductVariantCreatePayload:
    product_variant: ProductVariant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductVariantUpdatePayload:
    product_variant: ProductVariant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductListingSetPayload:
    product: Product | None = strawberry.field(
        default=None, description="As the listing's channel shows it, overrides applied."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductVariantPriceSetPayload:
    product_variant: ProductVariant | None = strawberry.field(
        default=None, description="Priced in the channel, after plugin adjustments."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProductVariantPriceRemovePayload:
    product_variant: ProductVariant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- mutations


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Create a category. Needs catalog:write. Errors: INVALID_SLUG, "
        "DUPLICATE_SLUG, REQUIRED, INVALID, NOT_FOUND, INVALID_ID.",
    )
    async def category_create(
        self, info: Info, input: CategoryCreateInput
    ) -> CategoryCreatePayload:
        try:
            parent_id = _optional_id(input.parent_id, "Category", "parent_id")
            category = await services.create_category(
                info.context.runtime.uow(),
                slug=input.slug,
                name=input.name,
                description=input.description,
                parent_id=CategoryId(parent_id) if parent_id is not None else None,
                position=input.position,
            )
        except DomainError as error:
            return CategoryCreatePayload(errors=payload_errors(error))
        _forget(info.context)
        return CategoryCreatePayload(category=Category.from_model(category))

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Change or move a category. Needs catalog:write. Errors: NOT_FOUND, "
        "INVALID_ID, INVALID_SLUG, DUPLICATE_SLUG, REQUIRED, INVALID, CATEGORY_CYCLE.",
    )
    async def category_update(
        self, info: Info, id: strawberry.ID, input: CategoryUpdateInput
    ) -> CategoryUpdatePayload:
        try:
            category = await services.update_category(
                info.context.runtime.uow(),
                category_id=CategoryId(decode_id(id, "Category", field="id")),
                slug=given(input.slug),
                name=given(input.name),
                description=given(input.description),
                parent_id=_clearable_category(input.parent_id, "parent_id"),
                position=given(input.position),
            )
        except DomainError as error:
            return CategoryUpdatePayload(errors=payload_errors(error))
        _forget(info.context)
        return CategoryUpdatePayload(category=Category.from_model(category))

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Create a product, listed in no channel yet. Needs catalog:write. "
        "Errors: INVALID_SLUG, DUPLICATE_SLUG, REQUIRED, INVALID, NOT_FOUND, INVALID_ID.",
    )
    async def product_create(self, info: Info, input: ProductCreateInput) -> ProductCreatePayload:
        context = info.context
        channel = await context.channel()  # before writing: an unknown one refuses the request
        try:
            category_id = _optional_id(input.category_id, "Category", "category_id")
            product = await services.create_product(
                context.runtime.uow(),
                slug=input.slug,
                name=input.name,
                description=input.description,
                category_id=CategoryId(category_id) if category_id is not None else None,
                images=_images(input.images),
            )
        except DomainError as error:
            return ProductCreatePayload(errors=payload_errors(error))
        _forget(context)
        return ProductCreatePayload(product=Product.from_model(product, channel.id))

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Change a product. Needs catalog:write. Errors: NOT_FOUND, INVALID_ID, "
        "INVALID_SLUG, DUPLICATE_SLUG, REQUIRED, INVALID.",
    )
    async def product_update(
        self, info: Info, id: strawberry.ID, input: ProductUpdateInput
    ) -> ProductUpdatePayload:
        context = info.context
        channel = await context.channel()
        try:
            product = await services.update_product(
                context.runtime.uow(),
                product_id=ProductId(decode_id(id, "Product", field="id")),
                slug=given(input.slug),
                name=given(input.name),
                description=given(input.description),
                category_id=_clearable_category(input.category_id, "category_id"),
                images=given_as(input.images, _images),
            )
        except DomainError as error:
            return ProductUpdatePayload(errors=payload_errors(error))
        _forget(context)
        return ProductUpdatePayload(product=Product.from_model(product, channel.id))

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Add a variant (one SKU) to a product. Needs catalog:write. Errors: "
        "NOT_FOUND, INVALID_ID, REQUIRED, INVALID, DUPLICATE_SKU, DUPLICATE.",
    )
    async def product_variant_create(
        self, info: Info, input: ProductVariantCreateInput
    ) -> ProductVariantCreatePayload:
        context = info.context
        channel = await context.channel()
        try:
            variant = await services.create_variant(
                context.runtime.uow(),
                product_id=ProductId(decode_id(input.product_id, "Product", field="product_id")),
                sku=input.sku,
                name=input.name,
                options=_options(input.options),
                position=input.position,
            )
        except DomainError as error:
            return ProductVariantCreatePayload(errors=payload_errors(error))
        return ProductVariantCreatePayload(
            product_variant=await _variant_view(context, channel, variant)
        )

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Change a variant. Needs catalog:write. Errors: NOT_FOUND, INVALID_ID, "
        "REQUIRED, INVALID, DUPLICATE_SKU, DUPLICATE.",
    )
    async def product_variant_update(
        self, info: Info, id: strawberry.ID, input: ProductVariantUpdateInput
    ) -> ProductVariantUpdatePayload:
        context = info.context
        channel = await context.channel()
        try:
            variant = await services.update_variant(
                context.runtime.uow(),
                variant_id=VariantId(decode_id(id, "ProductVariant", field="id")),
                sku=given(input.sku),
                name=given(input.name),
                options=given_as(input.options, _options),
                position=given(input.position),
            )
        except DomainError as error:
            return ProductVariantUpdatePayload(errors=payload_errors(error))
        return ProductVariantUpdatePayload(
            product_variant=await _variant_view(context, channel, variant)
        )

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="List a product in a channel, published or not, with optional title and "
        "description overrides. Needs catalog:write. Errors: NOT_FOUND, INVALID_ID, "
        "UNKNOWN_CHANNEL, REQUIRED, INVALID.",
    )
    async def product_listing_set(
        self, info: Info, input: ProductListingSetInput
    ) -> ProductListingSetPayload:
        context = info.context
        try:
            product_id = ProductId(decode_id(input.product_id, "Product", field="product_id"))
            channel = await input_channel(context, input.channel)
            product = await services.set_listing(
                context.runtime.uow(),
                product_id=product_id,
                channel_id=channel.id,
                is_published=input.is_published,
                name=input.name,
                description=input.description,
            )
        except DomainError as error:
            return ProductListingSetPayload(errors=payload_errors(error))
        _forget(context)
        return ProductListingSetPayload(product=Product.from_model(product, channel.id))

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Set a variant's price in a channel. Needs catalog:write. Errors: "
        "NOT_FOUND, INVALID_ID, UNKNOWN_CHANNEL, NEGATIVE_PRICE, CURRENCY_MISMATCH, "
        "INVALID_CURRENCY, INVALID_AMOUNT.",
    )
    async def product_variant_price_set(
        self, info: Info, input: ProductVariantPriceSetInput
    ) -> ProductVariantPriceSetPayload:
        context = info.context
        try:
            variant_id = VariantId(
                decode_id(input.variant_id, "ProductVariant", field="variant_id")
            )
            channel = await input_channel(context, input.channel)
            variant = await services.set_variant_price(
                context.runtime.uow(),
                variant_id=variant_id,
                channel_id=channel.id,
                price=parse_money(input.price, field="price"),
            )
        except DomainError as error:
            return ProductVariantPriceSetPayload(errors=payload_errors(error))
        return ProductVariantPriceSetPayload(
            product_variant=await _variant_view(context, channel, variant)
        )

    @strawberry.mutation(
        permission_classes=[CanWriteCatalog],
        description="Stop selling a variant in a channel by removing its price there; "
        "harmless when it has none. Needs catalog:write. Errors: NOT_FOUND, INVALID_ID, "
        "UNKNOWN_CHANNEL.",
    )
    async def product_variant_price_remove(
        self, info: Info, input: ProductVariantPriceRemoveInput
    ) -> ProductVariantPriceRemovePayload:
        context = info.context
        try:
            variant_id = VariantId(
                decode_id(input.variant_id, "ProductVariant", field="variant_id")
            )
            channel = await input_channel(context, input.channel)
            variant = await services.remove_variant_price(
                context.runtime.uow(), variant_id=variant_id, channel_id=channel.id
            )
        except DomainError as error:
            return ProductVariantPriceRemovePayload(errors=payload_errors(error))
        return ProductVariantPriceRemovePayload(
            product_variant=await _variant_view(context, channel, variant)
        )


def _optional_id(global_id: strawberry.ID | None, type_name: str, field: str) -> int | None:
    return decode_id(global_id, type_name, field=field) if global_id is not None else None


def _clearable_category(global_id: strawberry.ID | None, field: str) -> CategoryId | Unset | None:
    value = clearable(global_id)
    if value is None or isinstance(value, Unset):
        return value
    return CategoryId(decode_id(value, "Category", field=field))


def _images(images: Sequence[ProductImageInput]) -> list[services.NewImage]:
    return [services.NewImage(url=image.url, alt=image.alt) for image in images]


def _options(options: Sequence[VariantOptionInput]) -> list[model.VariantOption]:
    return [model.VariantOption(name=option.name, value=option.value) for option in options]


def _forget(context: Context) -> None:
    """Drop what this request's loaders hold: a later field must see the change."""
    loaders = context.loaders
    loaders.products_by_id.clear_all()
    loaders.variants_by_product_id.clear_all()
    loaders.variants_by_id.clear_all()
    loaders.images_by_product_id.clear_all()
    loaders.categories_by_id.clear_all()
    loaders.categories_by_parent_id.clear_all()


async def _variant_view(
    context: Context, channel: Channel, variant: model.Variant
) -> ProductVariant:
    """The variant as ``channel`` prices it (plugins included), published there or not."""
    _forget(context)
    siblings = await context.loaders.variants_by_product_id.load((channel.id, variant.product_id))
    for sibling in siblings:
        if sibling.variant.id == variant.id:
            return ProductVariant.from_priced(sibling, channel.id)
    return ProductVariant.from_model(variant, None, channel.id)
