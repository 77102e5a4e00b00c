"""Categories and products (with variants, prices and a listing), made through the catalog
services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.catalog import services as catalog
from core.catalog.model import Category, Product, Variant, VariantOption
from core.channels.model import Channel
from core.money import Money
from core.runtime import Runtime


async def make_category(
    runtime: Runtime,
    *,
    slug: str = "clothing",
    name: str | None = None,
    parent: Category | None = None,
    position: int = 0,
) -> Category:
    return await catalog.create_category(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        parent_id=parent.id if parent else None,
        position=position,
    )


@dataclass(frozen=True, slots=True)
class MadeProduct:
    """A product as stored (its own name), its variants priced in the channel, in order."""

    product: Product
    variants: tuple[Variant, ...]


async def make_product(
    runtime: Runtime,
    *,
    channel: Channel,
    slug: str = "basic-tee",
    name: str | None = None,
    description: str = "",
    category: Category | None = None,
    variants: Sequence[str] = (),
    options: Sequence[VariantOption] = (),
    price: str | None = "10.00",
    is_published: bool = True,
    listing_name: str | None = None,
    listing_description: str | None = None,
    images: Sequence[catalog.NewImage] = (),
) -> MadeProduct:
    """A product with variants (SKUs; one ``<SLUG>-1`` by default), listed and priced.

    ``price`` is a decimal string in the channel's currency, given to every variant;
    ``None`` leaves them unpriced. ``options`` go on every variant.
    """
    product = await catalog.create_product(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        description=description,
        category_id=category.id if category else None,
        images=images,
    )
    made: list[Variant] = []
    for position, sku in enumerate(variants or [f"{slug.upper()}-1"]):
        variant = await catalog.create_variant(
            runtime.uow(), product_id=product.id, sku=sku, options=options, position=position
        )
        if price is not None:
            variant = await catalog.set_variant_price(
                runtime.uow(),
                variant_id=variant.id,
                channel_id=channel.id,
                price=Money.parse(price, channel.currency),
            )
        made.append(variant)
    await catalog.set_listing(
        runtime.uow(),
        product_id=product.id,
        channel_id=channel.id,
        is_published=is_published,
        name=listing_name,
        description=listing_description,
    )
    return MadeProduct(product=product, variants=tuple(made))
