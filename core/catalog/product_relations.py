"""A product's images and its listing in each channel, read in batches by product id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from core.catalog.model import Listing, ProductImage
from core.catalog.tables import ProductImageRow, ProductListingRow
from core.db import table_of
from core.db.reads import ReadConnection
from core.ids import ProductId

_images = table_of(ProductImageRow)
_listings = table_of(ProductListingRow)


async def images_by_product_id(
    connection: ReadConnection, product_ids: Sequence[int]
) -> dict[ProductId, list[ProductImage]]:
    statement = (
        select(_images)
        .where(_images.c.product_id.in_(product_ids))
        .order_by(_images.c.product_id, _images.c.position, _images.c.id)
    )
    grouped: dict[ProductId, list[ProductImage]] = {}
    for row in (await connection.execute(statement)).all():
        grouped.setdefault(ProductId(row.product_id), []).append(
            ProductImage(row.id, ProductId(row.product_id), row.position, row.url, row.alt)
        )
    return grouped


async def listings_by_product_id(
    connection: ReadConnection, product_ids: Sequence[int]
) -> dict[ProductId, list[Listing]]:
    statement = select(_listings).where(_listings.c.product_id.in_(product_ids))
    grouped: dict[ProductId, list[Listing]] = {}
    for row in (await connection.execute(statement)).all():
        grouped.setdefault(ProductId(row.product_id), []).append(
            Listing(
                row.channel_id,
                ProductId(row.product_id),
                row.is_published,
                row.name,
                row.description,
            )
        )
    return grouped
