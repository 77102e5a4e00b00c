"""The Meta (Facebook, Instagram) catalog feed: CSV with the catalog's required columns
(id, title, description, availability, condition, price, link, image_link, brand) and
item_group_id, written by the ``csv`` module a page at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Final

from core.feeds.fields import FeedRequest, brand, description, in_stock, item_pages, link, title
from core.feeds.items import FeedItem

META_COLUMNS: Final = (
    "id",
    "title",
    "description",
    "availability",
    "condition",
    "price",
    "link",
    "image_link",
    "brand",
    "item_group_id",
)


def meta_row(request: FeedRequest, item: FeedItem) -> tuple[str, ...]:
    return (
        item.variant.sku,
        title(item),
        description(item),
        "in stock" if in_stock(item) else "out of stock",
        "new",
        item.price.format(),
        link(request.link_base, item),
        item.image_url or "",
        # Meta requires a brand: the retailer's (the channel's name) when none is set.
        brand(item) or request.channel.name,
        item.product.slug,
    )


async def meta_catalog(request: FeedRequest) -> AsyncIterator[str]:
    """``meta.csv``: a header row, then one row per variant the channel sells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(META_COLUMNS)
    async for items in item_pages(request):
        writer.writerows(meta_row(request, item) for item in items)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    # A catalog with nothing to sell is still a valid file: its header row.
    if buffer.getvalue():
        yield buffer.getvalue()
