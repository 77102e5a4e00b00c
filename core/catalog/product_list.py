"""The listing: one keyset-paginated page of the products a channel shows.

Filtered by category (with its subcategories), search and stock, sorted by name,
creation time, price or search relevance. The page's products come in one statement
(and their count, when asked, in one more); then one per relation the caller includes
(``core.catalog.bundles``), whatever the page size.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
)

from core.catalog.bundles import bundle_products
from core.catalog.category_tree import category_subtree
from core.catalog.channel_products import (
    CHANNEL_ID,
    EFFECTIVE_NAME,
    product_from_row,
    visible_products,
)
from core.catalog.model import (
    Cursor,
    ProductFilter,
    ProductInclude,
    ProductPage,
    ProductSort,
    ProductSortKey,
)
from core.catalog.search import search_clause, search_query, search_terms
from core.catalog.tables import ProductRow, VariantPriceRow, VariantRow
from core.channels.tables import ChannelLocationRow
from core.db import UTCDateTime, table_of
from core.db.reads import ReadConnection, fetch_rows
from core.ids import ChannelId
from core.inventory.queries import active_reserved, levels_supplying_channel
from core.inventory.tables import StockLevelRow

_products = table_of(ProductRow)
_variants = table_of(VariantRow)
_prices = table_of(VariantPriceRow)
_levels = table_of(StockLevelRow)
_links = table_of(ChannelLocationRow)

# Products with no price in the channel sort after every priced one, in both directions.
_NO_PRICE_ASCENDING = 2**62
_NO_PRICE_DESCENDING = -1


def _min_price() -> ColumnElement[Any]:
    return (
        select(func.min(_prices.c.amount_minor))
        .select_from(_prices.join(_variants, _variants.c.id == _prices.c.variant_id))
        .where(_variants.c.product_id == _products.c.id, _prices.c.channel_id == CHANNEL_ID)
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class _ListingShape:
    """What decides a listing statement's SQL text; values are bound at execution."""

    dialect: str
    sort_key: ProductSortKey
    reverse: bool
    after: bool
    category: bool
    search: bool
    in_stock: bool | None = None


def _has_stock_in_channel() -> ColumnElement[bool]:
    """A variant of the product has stock available at a location supplying the channel.

    Stock before the channel's plugins lower it (a safety buffer): the hook runs in
    Python, and a filter applied after SQL would break keyset pagination.
    """
    now = bindparam("now", type_=UTCDateTime())
    return (
        select(_levels.c.variant_id)
        .select_from(levels_supplying_channel())
        .where(
            _variants.c.product_id == _products.c.id,
            _levels.c.on_hand > active_reserved(now),
        )
        .exists()
    )


@functools.lru_cache(maxsize=256)
def _listing_statements(shape: _ListingShape) -> tuple[Select[Any], Select[Any]]:
    """The page statement and the count statement for one shape."""
    statement = visible_products()
    if shape.category:
        statement = statement.where(_products.c.category_id.in_(category_subtree()))
    rank: ColumnElement[Any] | None = None
    if shape.search:
        clause = search_clause(shape.dialect, _products.c.id, bindparam("search", type_=String))
        statement = statement.join(clause.source, clause.join_on).where(clause.condition)
        rank = clause.rank
    if shape.in_stock is not None:
        has_stock = _has_stock_in_channel()
        statement = statement.where(has_stock if shape.in_stock else ~has_stock)
    count = select(func.count()).select_from(statement.subquery())
    sort_value = _sort_expression(shape.sort_key, shape.reverse, rank)
    # RELEVANCE reads best-first; every other key reads ascending unless reversed.
    descending = shape.reverse != (shape.sort_key is ProductSortKey.RELEVANCE)
    if shape.after:
        statement = statement.where(_after(sort_value, shape.sort_key, descending))
    order = (
        (sort_value.desc(), _products.c.id.desc()) if descending else (sort_value, _products.c.id)
    )
    page = (
        statement.add_columns(sort_value.label("sort_value"))
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
    )
    return page, count


async def list_products(
    connection: ReadConnection,
    *,
    channel_id: ChannelId,
    first: int,
    after: Cursor | None,
    product_filter: ProductFilter,
    sort: ProductSort,
    include: ProductInclude,
    now: datetime | None = None,
) -> ProductPage:
    """One page of the products visible in a channel, keyset-paginated.

    The sort key defaults to RELEVANCE with a search and NAME without; ties are
    broken by product id so the order is total and cursors are stable. ``now``
    (which reservations are still active) is needed by the ``in_stock`` filter and
    by ``include.availability``.
    """
    sort_key = sort.key or (
        ProductSortKey.RELEVANCE if product_filter.search else ProductSortKey.NAME
    )
    parameters: dict[str, Any] = {"channel_id": channel_id, "limit": first + 1}
    if product_filter.category_id is not None:
        parameters["category_id"] = product_filter.category_id
    if product_filter.in_stock is not None:
        if now is None:
            raise ValueError("the in_stock filter needs now")
        parameters["now"] = now
    if product_filter.search is not None:
        terms = search_terms(product_filter.search)
        if not terms:
            # Nothing searchable (only punctuation): no product matches.
            return ProductPage((), False, after is not None, 0 if include.total_count else None)
        parameters["search"] = search_query(connection.dialect.name, terms)
    if after is not None:
        parameters["after_value"] = (
            datetime.fromisoformat(str(after.value))
            if sort_key is ProductSortKey.CREATED_AT
            else after.value
        )
        parameters["after_id"] = after.product_id
    shape = _ListingShape(
        dialect=connection.dialect.name,
        sort_key=sort_key,
        reverse=sort.reverse,
        after=after is not None,
        category=product_filter.category_id is not None,
        search=product_filter.search is not None,
        in_stock=product_filter.in_stock,
    )
    page_statement, count_statement = _listing_statements(shape)
    # Rows of the page statement: the product columns, then sort_value (index 7).
    rows: list[Any] = list(await fetch_rows(connection, page_statement, parameters))
    has_next = len(rows) > first
    rows = rows[:first]
    total = (
        (await connection.execute(count_statement, parameters)).scalar_one()
        if include.total_count
        else None
    )
    products = [product_from_row(row) for row in rows]
    cursors = [
        Cursor(sort_key, sort.reverse, _cursor_value(sort_key, row[7]), row[0]) for row in rows
    ]
    bundles = await bundle_products(connection, channel_id, products, cursors, include, now)
    return ProductPage(
        bundles=tuple(bundles),
        has_next_page=has_next,
        has_previous_page=after is not None,
        total_count=total,
    )


def _sort_expression(
    key: ProductSortKey, reverse: bool, rank: ColumnElement[Any] | None
) -> ColumnElement[Any]:
    if key is ProductSortKey.NAME:
        return EFFECTIVE_NAME
    if key is ProductSortKey.CREATED_AT:
        return _products.c.created_at
    if key is ProductSortKey.PRICE:
        missing = _NO_PRICE_DESCENDING if reverse else _NO_PRICE_ASCENDING
        return func.coalesce(_min_price(), missing)
    if rank is None:
        raise ValueError("RELEVANCE needs a search")
    return rank


def _cursor_value(key: ProductSortKey, value: Any) -> str | int | float | None:
    if isinstance(value, datetime):
        return value.isoformat()
    if key is ProductSortKey.RELEVANCE:
        return float(value)
    return value  # type: ignore[no-any-return]  # str name or int price, from the row


_AFTER_TYPES: dict[ProductSortKey, Any] = {
    ProductSortKey.NAME: String(),
    ProductSortKey.CREATED_AT: UTCDateTime(),
    ProductSortKey.PRICE: BigInteger(),
    ProductSortKey.RELEVANCE: Float(),
}


def _after(
    sort_value: ColumnElement[Any], key: ProductSortKey, descending: bool
) -> ColumnElement[bool]:
    value = bindparam("after_value", type_=_AFTER_TYPES[key])
    product_id = bindparam("after_id", type_=BigInteger)
    if descending:
        return or_(sort_value < value, and_(sort_value == value, _products.c.id < product_id))
    return or_(sort_value > value, and_(sort_value == value, _products.c.id > product_id))
