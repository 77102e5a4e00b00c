"""Per-request DataLoaders for catalog relations reached outside the look-ahead.

Channel-dependent loaders key on ``(channel_id, id)``; results come back in key
order, with ``None`` or ``[]`` for what is missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from core.catalog import queries
from core.catalog.model import ProductInclude
from core.catalog.pricing import price_variants
from core.channels.model import Channel
from core.db.reads import Reads
from core.ids import CategoryId, ChannelId, ProductId
from core.plugin_host import PluginHost
from schema.catalog.types import Category, Product, ProductImage, ProductVariant

K = TypeVar("K")
ChannelKey = tuple[int, int]


def _by_channel(keys: Sequence[ChannelKey]) -> dict[ChannelId, list[int]]:
    grouped: dict[ChannelId, list[int]] = defaultdict(list)
    for channel_id, key in keys:
        grouped[ChannelId(channel_id)].append(key)
    return grouped


def products_by_id(reads: Reads) -> DataLoader[ChannelKey, Product | None]:
    async def load(keys: Sequence[ChannelKey]) -> list[Product | None]:
        found: dict[ChannelKey, Product] = {}
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                bundles = await queries.products_where(
                    connection, channel_id=channel_id, product_ids=ids, include=ProductInclude()
                )
                for bundle in bundles:
                    product = Product.from_model(bundle.product, channel_id)
                    found[(channel_id, bundle.product.id)] = product
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def variants_by_product_id(
    reads: Reads, plugins: PluginHost, channel_of: Callable[[int], Channel]
) -> DataLoader[ChannelKey, list[ProductVariant]]:
    async def load(keys: Sequence[ChannelKey]) -> list[list[ProductVariant]]:
        found: dict[ChannelKey, list[ProductVariant]] = defaultdict(list)
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                grouped = await queries.variants_by_product_id(connection, channel_id, ids)
                variants = [v for product_variants in grouped.values() for v in product_variants]
                prices = await price_variants(plugins, channel_of(channel_id), variants)
                for variant, price in zip(variants, prices, strict=True):
                    found[(channel_id, variant.product_id)].append(
                        ProductVariant.from_model(variant, price, channel_id)
                    )
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def variants_by_id(
    reads: Reads, plugins: PluginHost, channel_of: Callable[[int], Channel]
) -> DataLoader[ChannelKey, ProductVariant | None]:
    async def load(keys: Sequence[ChannelKey]) -> list[ProductVariant | None]:
        found: dict[ChannelKey, ProductVariant] = {}
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                variants = list(
                    (await queries.variants_by_id(connection, channel_id, ids)).values()
                )
                prices = await price_variants(plugins, channel_of(channel_id), variants)
                for variant, price in zip(variants, prices, strict=True):
                    found[(channel_id, variant.id)] = ProductVariant.from_model(
                        variant, price, channel_id
                    )
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def images_by_product_id(reads: Reads) -> DataLoader[int, list[ProductImage]]:
    async def load(keys: Sequence[int]) -> list[list[ProductImage]]:
        async with reads.connect() as connection:
            grouped = await queries.images_by_product_id(connection, keys)
        return [
            [ProductImage.from_model(i) for i in grouped.get(ProductId(key), [])] for key in keys
        ]

    return DataLoader(load_fn=load, max_batch_size=500)


def categories_by_id(reads: Reads) -> DataLoader[int, Category | None]:
    async def load(keys: Sequence[int]) -> list[Category | None]:
        async with reads.connect() as connection:
            found = await queries.categories_by_id(connection, keys)
        return [
            Category.from_model(found[CategoryId(key)]) if CategoryId(key) in found else None
            for key in keys
        ]

    return DataLoader(load_fn=load, max_batch_size=500)


def categories_by_parent_id(reads: Reads) -> DataLoader[int, list[Category]]:
    async def load(keys: Sequence[int]) -> list[list[Category]]:
        async with reads.connect() as connection:
            found = await queries.categories_by_parent_id(connection, keys)
        return [[Category.from_model(c) for c in found.get(CategoryId(key), [])] for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)
