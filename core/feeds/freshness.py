"""A feed's ETag and Last-Modified, read before the feed is streamed: two aggregate
statements over what the feed shows, instead of the feed itself.

A feed changes when a product published in the channel changes (its listing, variants,
prices or images: ``products.version``, incremented by every catalog change), when the
set of published products changes, or when stock changes at a location supplying the
channel (``stock_levels.version``, incremented by every count, sale, reservation and
release). The channel itself (plugins and their settings, display rule, currency), the
storefront URL and the feed's name go into the ETag too.

Not seen: a reservation that expires without the sweeper deleting it yet, and a
plugin whose answer changes with the time of day; the sweeper's release bumps the
stock version, so the ETag catches up at the next sweep.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from core.catalog.channel_products import CHANNEL_ID
from core.catalog.tables import ProductListingRow, ProductRow, VariantRow
from core.channels.model import Channel
from core.db import table_of
from core.db.reads import ReadConnection
from core.inventory.queries import levels_supplying_channel
from core.inventory.tables import StockLevelRow

_products = table_of(ProductRow)
_listings = table_of(ProductListingRow)
_variants = table_of(VariantRow)
_levels = table_of(StockLevelRow)


@dataclass(frozen=True, slots=True)
class FeedVersion:
    """The validators of one feed of one channel as it is now."""

    etag: str
    # None for a channel that publishes nothing and has no stock.
    last_modified: datetime | None


def _published() -> Select[Any]:
    return select(_listings.c.product_id).where(
        _listings.c.channel_id == CHANNEL_ID, _listings.c.is_published.is_(True)
    )


@functools.lru_cache(maxsize=1)
def _statements() -> tuple[Select[Any], Select[Any]]:
    """Count, version sum and latest change of the published products, then of their
    stock at the locations supplying the channel."""
    products = select(
        func.count(),
        func.coalesce(func.sum(_products.c.version), 0),
        func.max(_products.c.updated_at),
    ).where(_products.c.id.in_(_published()))
    stock = (
        select(
            func.count(),
            func.coalesce(func.sum(_levels.c.version), 0),
            func.max(_levels.c.updated_at),
        )
        .select_from(levels_supplying_channel())
        .where(_variants.c.product_id.in_(_published()))
    )
    return products, stock


async def feed_version(
    connection: ReadConnection, *, channel: Channel, feed_name: str, link_base: str
) -> FeedVersion:
    """The ETag (strong, quoted) and Last-Modified of ``feed_name`` for ``channel``."""
    parameters = {"channel_id": channel.id}
    seen: list[Any] = [feed_name, link_base, repr(channel)]
    changed: list[datetime] = []
    for statement in _statements():
        row = (await connection.execute(statement, parameters)).one()
        count, version_sum, latest = tuple(row)
        # A version sum is NUMERIC on PostgreSQL: the same integer either way.
        seen += [count, int(version_sum), latest.isoformat() if latest else None]
        if latest is not None:
            changed.append(latest)
    digest = hashlib.sha256(repr(seen).encode()).hexdigest()[:32]
    return FeedVersion(etag=f'"{digest}"', last_modified=max(changed) if changed else None)
