"""What every feed says of an item, whatever its format: one rule per field.

Links go to the storefront (``OMNICART_STOREFRONT_URL``): the product page by slug,
the variant by SKU in the query string. Feeds ask for a brand; the catalog has no brand
of its own, so a variant option named "Brand" is used, else the channel's name for the
formats that require one (Meta), or ``identifier_exists=no`` (Google).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from core.channels.model import Channel
from core.db.reads import Reads
from core.feeds.items import FeedItem, feed_pages
from core.inventory.model import StockStatus
from core.plugin_host import PluginHost

# XML 1.0 refuses these characters even escaped; a description pasted from elsewhere
# may carry one, and one would make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """What a feed is rendered from: the channel, the moment and where reads go."""

    reads: Reads
    plugins: PluginHost
    channel: Channel
    now: datetime
    # The storefront's base URL, without a trailing slash.
    link_base: str


def item_pages(request: FeedRequest) -> AsyncIterator[list[FeedItem]]:
    """The channel's items, a page at a time (``core.feeds.items.feed_pages``)."""
    return feed_pages(request.reads, request.plugins, channel=request.channel, now=request.now)


def title(item: FeedItem) -> str:
    """The product's name in the channel, then the variant's name (or option values)."""
    detail = item.variant.name or " / ".join(option.value for option in item.variant.options)
    return f"{item.product.name} - {detail}" if detail else item.product.name


def description(item: FeedItem) -> str:
    """The channel's description; the title where there is none (feeds require one)."""
    return item.product.description or title(item)


def link(link_base: str, item: FeedItem) -> str:
    return f"{link_base}/products/{quote(item.product.slug)}?variant={quote(item.variant.sku)}"


def in_stock(item: FeedItem) -> bool:
    """Whether the API shows the variant as available (LOW_STOCK is in stock)."""
    return item.availability.status is not StockStatus.OUT_OF_STOCK


def brand(item: FeedItem) -> str | None:
    for option in item.variant.options:
        if option.name.casefold() == "brand" and option.value:
            return option.value
    return None


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (escaping is the writer's),
    line ends as a reader's parser would normalise them (XML 1.0 section 2.11)."""
    return _NOT_XML.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
