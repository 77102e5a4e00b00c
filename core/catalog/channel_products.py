"""Products as a channel shows them: published there, with the channel's overrides.

The listing (``core.catalog.product_list``) and the product page
(``core.catalog.product_lookup``) both start from ``visible_products``.

Hot statements are built once per shape and executed with bound parameters
(channel, page size, cursor, filters): building and cache-keying a Core statement
costs more than executing it on a warm connection. Every shape is a pure function of
its key, so memoising them is safe across requests and processes. They all bind the
channel as ``CHANNEL_ID``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import BigInteger, Select, and_, bindparam, func, select

from core.catalog.model import Product
from core.catalog.tables import ProductListingRow, ProductRow
from core.db import table_of

_products = table_of(ProductRow)
_listings = table_of(ProductListingRow)

CHANNEL_ID = bindparam("channel_id", type_=BigInteger)

# The listing's name override, else the product's: what a channel shows and sorts by.
EFFECTIVE_NAME = func.coalesce(_listings.c.name, _products.c.name)
_EFFECTIVE_DESCRIPTION = func.coalesce(_listings.c.description, _products.c.description)

# How many columns of a ``visible_products`` row are the product's; joined columns follow.
PRODUCT_COLUMNS: Final = 7


def visible_products() -> Select[Any]:
    """Products published in the channel, with the channel's overrides applied."""
    return (
        select(
            _products.c.id,
            _products.c.slug,
            EFFECTIVE_NAME.label("name"),
            _EFFECTIVE_DESCRIPTION.label("description"),
            _products.c.category_id,
            _products.c.created_at,
            _products.c.updated_at,
        )
        .select_from(
            _products.join(
                _listings,
                and_(
                    _listings.c.product_id == _products.c.id, _listings.c.channel_id == CHANNEL_ID
                ),
            )
        )
        .where(_listings.c.is_published.is_(True))
    )


def product_from_row(row: Sequence[Any]) -> Product:
    # The columns of ``visible_products`` are Product's fields in order: passed by
    # position, as reading a row by name or passing keywords costs more.
    return Product(*row[:PRODUCT_COLUMNS])
