"""Products bundled with the relations a reader asked for (``ProductInclude``).

One statement per included relation, whatever the number of products: variants
(with their channel prices, and their stock when availability is included), images,
categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.catalog.category_tree import categories_by_id
from core.catalog.model import Cursor, Product, ProductBundle, ProductInclude, Variant
from core.catalog.priced_variants import variants_and_stock_by_product_id
from core.catalog.product_relations import images_by_product_id
from core.db.reads import ReadConnection
from core.ids import ChannelId, ProductId, VariantId

# Variants by product and stock by variant, when the caller read them already.
LoadedVariants = tuple[dict[ProductId, list[Variant]], dict[VariantId, int]]


async def bundle_products(
    connection: ReadConnection,
    channel_id: ChannelId,
    products: Sequence[Product],
    cursors: Sequence[Cursor],
    include: ProductInclude,
    now: datetime | None,
    loaded: LoadedVariants | None = None,
) -> list[ProductBundle]:
    """Bundles of ``products``; ``loaded``: their variants and stock, already read."""
    ids = [product.id for product in products]
    if include.availability and now is None:
        raise ValueError("availability needs now")
    # The variants' stock comes with them (``ProductInclude.availability``).
    stock_at = now if include.availability and include.variants else None
    variants: dict[ProductId, list[Variant]] = {}
    stock: dict[VariantId, int] = {}
    if loaded is not None:
        variants, stock = loaded
    elif include.variants and ids:
        variants, stock = await variants_and_stock_by_product_id(
            connection, channel_id, ids, stock_at
        )
    images = await images_by_product_id(connection, ids) if include.images and ids else {}
    category_ids = sorted({p.category_id for p in products if p.category_id is not None})
    categories = (
        await categories_by_id(connection, category_ids)
        if include.category and category_ids
        else {}
    )
    return [
        ProductBundle(
            product=product,
            cursor=cursor,
            variants=tuple(variants.get(product.id, ())),
            images=tuple(images.get(product.id, ())),
            category=categories.get(product.category_id) if product.category_id else None,
            channel_stock=tuple([stock[variant.id] for variant in variants.get(product.id, ())])
            if stock_at is not None
            else (),
        )
        for product, cursor in zip(products, cursors, strict=True)
    ]
