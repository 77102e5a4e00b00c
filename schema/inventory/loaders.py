"""Per-request DataLoaders for availability reached outside the look-ahead.

``node(id)`` of a variant, a ``channel`` argument other than the request's, a product
reached through a variant: all key on ``(channel_id, id)`` and batch per channel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from strawberry.dataloader import DataLoader

from core.catalog import queries as catalog_queries
from core.channels.model import Channel
from core.clock import Clock
from core.db.reads import Reads
from core.ids import ChannelId, VariantId
from core.inventory.availability import channel_availability
from core.inventory.model import ShownAvailability, StockStatus
from core.inventory.pickup import StoreStock, pickup_stock
from core.plugin_host import PluginHost
from schema.loaders import ChannelKey


def _by_channel(keys: Sequence[ChannelKey]) -> dict[ChannelId, list[int]]:
    grouped: dict[ChannelId, list[int]] = defaultdict(list)
    for channel_id, key in keys:
        grouped[ChannelId(channel_id)].append(key)
    return grouped


def availability_by_variant_id(
    reads: Reads, plugins: PluginHost, channel_of: Callable[[int], Channel], clock: Clock
) -> DataLoader[ChannelKey, ShownAvailability]:
    """What each channel shows of each variant (one statement and one hook call a channel)."""

    async def load(keys: Sequence[ChannelKey]) -> list[ShownAvailability]:
        found: dict[ChannelKey, ShownAvailability] = {}
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                shown = await channel_availability(
                    connection,
                    plugins,
                    channel=channel_of(channel_id),
                    variant_ids=[VariantId(i) for i in dict.fromkeys(ids)],
                    now=clock.now(),
                )
                for variant_id, value in shown.items():
                    found[(channel_id, variant_id)] = value
        return [found[key] for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def in_stock_by_product_id(
    reads: Reads, plugins: PluginHost, channel_of: Callable[[int], Channel], clock: Clock
) -> DataLoader[ChannelKey, bool]:
    """Whether any variant of each product is available in the channel (after plugins)."""

    async def load(keys: Sequence[ChannelKey]) -> list[bool]:
        found: set[ChannelKey] = set()
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                variants = await catalog_queries.variants_by_product_id(connection, channel_id, ids)
                product_of = {v.id: v.product_id for found_ in variants.values() for v in found_}
                shown = await channel_availability(
                    connection,
                    plugins,
                    channel=channel_of(channel_id),
                    variant_ids=list(product_of),
                    now=clock.now(),
                )
                for variant_id, value in shown.items():
                    if value.status is not StockStatus.OUT_OF_STOCK:
                        found.add((channel_id, product_of[variant_id]))
        return [key in found for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


def pickup_stock_by_variant_id(
    reads: Reads, channel_of: Callable[[int], Channel], clock: Clock
) -> DataLoader[ChannelKey, list[StoreStock]]:
    """Every pick-up store's stock of each variant and its ready estimate."""

    async def load(keys: Sequence[ChannelKey]) -> list[list[StoreStock]]:
        found: dict[ChannelKey, list[StoreStock]] = {}
        async with reads.connect() as connection:
            for channel_id, ids in _by_channel(keys).items():
                stock = await pickup_stock(
                    connection,
                    channel=channel_of(channel_id),
                    variant_ids=[VariantId(i) for i in dict.fromkeys(ids)],
                    now=clock.now(),
                )
                for variant_id, stores in stock.items():
                    found[(channel_id, variant_id)] = stores
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)
