"""Per-request DataLoaders for catalog relations reached outside the look-ahead.

Channel-dependent loaders key on ``(channel_id, id)``; results come back in key
order, with ``None`` or ``[]`` for what is missing. They return core values, which
the types map (``Product.from_model``), so this module imports no GraphQL type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from strawberry.dataloader import DataLoader

from core.catalog import model, queries
from core.catalog.pricing import price_variants
from core.channels.model import Channel
from core.db.reads import Reads
from core.ids import CategoryId, ChannelId, ProductId
from core.plugin_host import PluginHost
from schema.loaders import ChannelKey


def _by_channel(keys: Sequence[ChannelKey]) -> dict[ChannelId, list[int]]:
    grouped: dict[ChannelId, list[int]] = defaultdict(list)
    for channel_id, key in keys:
        grouped[ChannelId(channel_id)].append(key)
    return grouped


def products_by_id(reads: Reads) -> DataLoader[ChannelKey, model.Product | None]:
    async def load(keys: Sequence[ChannelKey]) -> list[model.Product | None]:
        found: dict[ChannelKey, model.Product] = {}
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                bundles = await queries.products_where(
                    connection,
                    channel_id=channel_id,
                    product_ids=ids,
                    include=model.ProductInclude(),
                )
                for bundle in bundles:
                    found[(channel_id, bundle.product.id)] = bundle.product
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def variants_by_product_id(
    reads: Reads, plugins: PluginHost, channel_of: Callable[[int], Channel]
) -> DataLoader[ChannelKey, list[model.PricedVariant]]:
    async def load(keys: Sequence[ChannelKey]) -> list[list[model.PricedVariant]]:
        found: dict[ChannelKey, list[model.PricedVariant]] = defaultdict(list)
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                grouped = await queries.variants_by_product_id(connection, channel_id, ids)
                variants = [v for product_variants in grouped.values() for v in product_variants]
                prices = await price_variants(plugins, channel_of(channel_id), variants)
                for variant, price in zip(variants, prices, strict=True):
                    found[(channel_id, variant.product_id)].append(
                        model.PricedVariant(variant, price)
                    )
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def variants_by_id(
    reads: Reads, plugins: PluginHost, channel_of: Callable[[int], Channel]
) -> DataLoader[ChannelKey, model.PricedVariant | None]:
    async def load(keys: Sequence[ChannelKey]) -> list[model.PricedVariant | None]:
        found: dict[ChannelKey, model.PricedVariant] = {}
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                variants = list(
                    (await queries.variants_by_id(connection, channel_id, ids)).values()
                )
                prices = await price_variants(plugins, channel_of(channel_id), variants)
                for variant, price in zip(variants, prices, strict=True):
                    found[(channel_id, variant.id)] = model.PricedVariant(variant, price)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def images_by_product_id(reads: Reads) -> DataLoader[int, list[model.ProductImage]]:
    async def load(keys: Sequence[int]) -> list[list[model.ProductImage]]:
        async with reads.connect() as connection:
            grouped = await queries.images_by_product_id(connection, keys)
        return [grouped.get(ProductId(key), []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def categories_by_id(reads: Reads) -> DataLoader[int, model.Category | None]:
    async def load(keys: Sequence[int]) -> list[model.Category | None]:
        async with reads.connect() as connection:
            found = await queries.categories_by_id(connection, keys)
        return [found.get(CategoryId(key)) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def categories_by_parent_id(reads: Reads) -> DataLoader[int, list[model.Category]]:
    async def load(keys: Sequence[int]) -> list[list[model.Category]]:
        async with reads.connect() as connection:
            found = await queries.categories_by_parent_id(connection, keys)
        return [found.get(CategoryId(key), []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)
