"""What a feed lists: every priced variant of the products a channel publishes, read in
keyset pages through the same reads, pricing hook and availability hook as the API.

A page is one ``list_products`` call (the GraphQL listing's, with variants, images and
stock), one ``price_variants`` call and one ``shown_from_stock`` call: the answers the
``products`` query gives, never a second copy of their rules. Each page opens its own
read connection, so a slow reader of a streamed feed holds no connection between pages
and memory stays one page deep, whatever the size of the catalog.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from core.catalog.model import (
    Cursor,
    Product,
    ProductFilter,
    ProductInclude,
    ProductSort,
    ProductSortKey,
    Variant,
)
from core.catalog.pricing import price_variants
from core.catalog.product_list import list_products
from core.channels.model import Channel
from core.db.reads import Reads
from core.inventory.availability import shown_from_stock
from core.inventory.model import ShownAvailability
from core.money import Money
from core.plugin_host import PluginHost

# Products per page: with a few variants each, a few hundred variants a page.
FEED_PAGE_PRODUCTS: Final = 100

_EVERYTHING = ProductInclude(variants=True, images=True, availability=True)
# Creation order, ties by id: a total order, so keyset pages neither skip nor repeat.
_OLDEST_FIRST = ProductSort(key=ProductSortKey.CREATED_AT)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One variant as the channel sells it: the API's price and availability for it."""

    product: Product
    variant: Variant
    price: Money
    availability: ShownAvailability
    # The product's first image, if it has any.
    image_url: str | None


async def feed_pages(
    reads: Reads,
    plugins: PluginHost,
    *,
    channel: Channel,
    now: datetime,
    page_products: int = FEED_PAGE_PRODUCTS,
) -> AsyncIterator[list[FeedItem]]:
    """The channel's feed items, one page at a time (products oldest first).

    A variant without a price in the channel is not for sale there and is left out, as
    is a product with no priced variant. Raises ``PluginError`` when a plugin fails.
    """
    after: Cursor | None = None
    while True:
        async with reads.connect() as connection:
            page = await list_products(
                connection,
                channel_id=channel.id,
                first=page_products,
                after=after,
                product_filter=ProductFilter(),
                sort=_OLDEST_FIRST,
                include=_EVERYTHING,
                now=now,
            )
        variants = [variant for bundle in page.bundles for variant in bundle.variants]
        summed = {
            variant.id: stock
            for bundle in page.bundles
            for variant, stock in zip(bundle.variants, bundle.channel_stock, strict=True)
        }
        shown = await shown_from_stock(plugins, channel=channel, summed=summed)
        prices = dict(
            zip(
                [variant.id for variant in variants],
                await price_variants(plugins, channel, variants),
                strict=True,
            )
        )
        items: list[FeedItem] = []
        for bundle in page.bundles:
            image_url = bundle.images[0].url if bundle.images else None
            for variant in bundle.variants:
                price = prices[variant.id]
                if price is not None:
                    items.append(
                        FeedItem(bundle.product, variant, price, shown[variant.id], image_url)
                    )
        if items:
            yield items
        if not page.has_next_page or not page.bundles:
            return
        after = page.bundles[-1].cursor
