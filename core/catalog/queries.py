"""Catalog reads in SQLAlchemy Core, returning model values.

Hot reads (listing, product page) load a whole selection in a constant number of
statements: one for the products, then one per relation the caller includes
(variants with their channel prices, images, categories), whatever the page size.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
)

from core.catalog.model import (
    Category,
    Cursor,
    Listing,
    Product,
    ProductBundle,
    ProductFilter,
    ProductImage,
    ProductInclude,
    ProductPage,
    ProductSort,
    ProductSortKey,
    Variant,
    VariantOption,
)
from core.catalog.search import search_clause, search_query, search_terms
from core.catalog.tables import (
    CategoryRow,
    ProductImageRow,
    ProductListingRow,
    ProductRow,
    VariantPriceRow,
    VariantRow,
)
from core.channels.tables import ChannelLocationRow
from core.db import UTCDateTime, in_bound_list, table_of
from core.db.reads import ReadConnection, fetch_rows
from core.ids import CategoryId, ChannelId, ProductId, VariantId
from core.inventory.queries import active_reserved, channel_stock
from core.inventory.tables import StockLevelRow
from core.money import Money

_products = table_of(ProductRow)
_listings = table_of(ProductListingRow)
_variants = table_of(VariantRow)
_prices = table_of(VariantPriceRow)
_images = table_of(ProductImageRow)
_categories = table_of(CategoryRow)
_levels = table_of(StockLevelRow)
_links = table_of(ChannelLocationRow)

# Products with no price in the channel sort after every priced one, in both directions.
_NO_PRICE_ASCENDING = 2**62
_NO_PRICE_DESCENDING = -1

_EFFECTIVE_NAME = func.coalesce(_listings.c.name, _products.c.name)
_EFFECTIVE_DESCRIPTION = func.coalesce(_listings.c.description, _products.c.description)


# Hot statements are built once per shape and executed with bound parameters
# (channel, page size, cursor, filters): building and cache-keying a Core
# statement costs more than executing it on a warm connection. Every shape is a
# pure function of its key, so memoising them is safe across requests and processes.
_CHANNEL = bindparam("channel_id", type_=BigInteger)


def _visible_products() -> Select[Any]:
    """Products published in the channel, with the channel's overrides applied."""
    return (
        select(
            _products.c.id,
            _products.c.slug,
            _EFFECTIVE_NAME.label("name"),
            _EFFECTIVE_DESCRIPTION.label("description"),
            _products.c.category_id,
            _products.c.created_at,
            _products.c.updated_at,
        )
        .select_from(
            _products.join(
                _listings,
                and_(_listings.c.product_id == _products.c.id, _listings.c.channel_id == _CHANNEL),
            )
        )
        .where(_listings.c.is_published.is_(True))
    )


def _min_price() -> ColumnElement[Any]:
    return (
        select(func.min(_prices.c.amount_minor))
        .select_from(_prices.join(_variants, _variants.c.id == _prices.c.variant_id))
        .where(_variants.c.product_id == _products.c.id, _prices.c.channel_id == _CHANNEL)
        .scalar_subquery()
    )


def _product_from_row(row: Sequence[Any]) -> Product:
    # The columns of ``_visible_products`` are Product's fields in order: passed by
    # position, as reading a row by name or passing keywords costs more.
    return Product(*row[:7])


def _category_subtree() -> Select[Any]:
    tree = (
        select(_categories.c.id)
        .where(_categories.c.id == bindparam("category_id", type_=BigInteger))
        .cte("category_tree", recursive=True)
    )
    tree = tree.union_all(select(_categories.c.id).where(_categories.c.parent_id == tree.c.id))
    return select(tree.c.id)


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
        .select_from(
            _levels.join(_variants, _variants.c.id == _levels.c.variant_id).join(
                _links,
                and_(
                    _links.c.location_id == _levels.c.location_id, _links.c.channel_id == _CHANNEL
                ),
            )
        )
        .where(
            _variants.c.product_id == _products.c.id,
            _levels.c.on_hand > active_reserved(now),
        )
        .exists()
    )


@functools.lru_cache(maxsize=256)
def _listing_statements(shape: _ListingShape) -> tuple[Select[Any], Select[Any]]:
    """The page statement and the count statement for one shape."""
    statement = _visible_products()
    if shape.category:
        statement = statement.where(_products.c.category_id.in_(_category_subtree()))
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
    products = [_product_from_row(row) for row in rows]
    cursors = [
        Cursor(sort_key, sort.reverse, _cursor_value(sort_key, row[7]), row[0]) for row in rows
    ]
    bundles = await _bundles(connection, channel_id, products, cursors, include, now)
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
        return _EFFECTIVE_NAME
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


@functools.lru_cache(maxsize=8)
def _products_where_statement(dialect: str, by_slug: bool, one: bool) -> Select[Any]:
    """Visible products by the list of slugs or ids bound as ``keys``, or, when ``one``,
    by the one bound as ``key``.

    One key is compared with ``=``: PostgreSQL then keeps one generic plan for the
    statement. Given ``= ANY(array)`` it plans every execution anew (its generic plan
    for an array of unknown length costs more), which made a product page's read
    0.84 ms of database time instead of 0.23.
    """
    column = _products.c.slug if by_slug else _products.c.id
    key_type = String() if by_slug else BigInteger()
    if one:
        return _visible_products().where(column == bindparam("key", type_=key_type))
    return _visible_products().where(in_bound_list(column, "keys", dialect, key_type))


async def products_where(
    connection: ReadConnection,
    *,
    channel_id: ChannelId,
    product_ids: Sequence[int] = (),
    slugs: Sequence[str] = (),
    include: ProductInclude,
    now: datetime | None = None,
) -> list[ProductBundle]:
    """Products visible in the channel by id or slug, with the included relations.

    ``now`` decides which reservations are active, for ``include.availability``.
    """
    if not product_ids and not slugs:
        return []
    dialect = connection.dialect.name
    keys = list(product_ids) if product_ids else list(slugs)
    one = len(keys) == 1
    parameters: dict[str, Any] = {"channel_id": channel_id}
    if one:
        parameters["key"] = keys[0]
    else:
        parameters["keys"] = keys
    if not include.variants:
        statement = _products_where_statement(dialect, not product_ids, one)
        rows = await fetch_rows(connection, statement, parameters)
        found = [_product_from_row(row) for row in rows]
        return await _bundles(connection, channel_id, found, _cursors(found), include, now)
    # The variants (and their stock) come with their products: one statement fewer.
    if include.availability and now is None:
        raise ValueError("availability needs now")
    with_stock = include.availability
    if with_stock:
        parameters["now"] = now
    statement = _products_with_variants_statement(dialect, not product_ids, one, with_stock)
    products: list[Product] = []
    variants: dict[ProductId, list[Variant]] = {}
    stock: dict[VariantId, int] = {}
    for row in await fetch_rows(connection, statement, parameters):
        if not products or products[-1].id != row[0]:
            products.append(_product_from_row(row))
            variants[row[0]] = []
        if row[_VARIANT_AT] is not None:  # a product without variants has one row of nulls
            variant = _variant_from_row(row[_VARIANT_AT:])
            variants[variant.product_id].append(variant)
            if with_stock:
                stock[variant.id] = row[_VARIANT_AT + 8]
    return await _bundles(
        connection, channel_id, products, _cursors(products), include, now, (variants, stock)
    )


def _cursors(products: Sequence[Product]) -> list[Cursor]:
    return [Cursor(ProductSortKey.NAME, False, product.name, product.id) for product in products]


# Where a joined row's variant columns start: after the product's 7 (_visible_products).
_VARIANT_AT: Final = 7


@functools.lru_cache(maxsize=8)
def _products_with_variants_statement(
    dialect: str, by_slug: bool, one: bool, with_stock: bool
) -> Any:
    """``_products_where_statement`` with each product's variants joined, in display order.

    A row per variant (the product's columns repeated), or one with null variant
    columns for a product without any; the variant columns are ``_variant_columns``'
    from ``_VARIANT_AT`` on, then the channel stock when ``with_stock``.
    """
    variant_columns = _variant_columns()
    statement = (
        _products_where_statement(dialect, by_slug, one)
        .add_columns(*variant_columns.selected_columns)
        # Joined flat, not as a parenthesised (variants LEFT JOIN prices): SQLite would
        # materialise that for every variant of the catalog.
        .outerjoin(_variants, _variants.c.product_id == _products.c.id)
        .outerjoin(
            _prices,
            and_(_prices.c.variant_id == _variants.c.id, _prices.c.channel_id == _CHANNEL),
        )
        .order_by(_products.c.id, _variants.c.position, _variants.c.id)
    )
    if with_stock:
        statement = statement.add_columns(channel_stock(_variants.c.id, dialect))
    return statement


async def products_by_id(
    connection: ReadConnection, product_ids: Sequence[int]
) -> dict[ProductId, Product]:
    """Products by id, listed in any channel or none."""
    columns = ("id", "slug", "name", "description", "category_id", "created_at", "updated_at")
    statement = select(*(_products.c[name] for name in columns)).where(
        _products.c.id.in_(product_ids)
    )
    rows = (await connection.execute(statement)).all()
    return {ProductId(row.id): _product_from_row(row) for row in rows}


async def _bundles(
    connection: ReadConnection,
    channel_id: ChannelId,
    products: Sequence[Product],
    cursors: Sequence[Cursor],
    include: ProductInclude,
    now: datetime | None,
    loaded: tuple[dict[ProductId, list[Variant]], dict[VariantId, int]] | None = None,
) -> list[ProductBundle]:
    """Bundles of ``products``; ``loaded``: their variants and stock, already read."""
    ids = [product.id for product in products]
    if include.availability and now is None:
        raise ValueError("availability needs now")
    # The variants' stock comes with them (``ProductInclude.availability``).
    stock_at = now if include.availability and include.variants else None
    variants: dict[ProductId, list[Variant]] = {}
    stock: dict[VariantId, int] = {}
    if loaded is not None:
        variants, stock = loaded
    elif include.variants and ids:
        variants, stock = await _variants_by_product_id(connection, channel_id, ids, stock_at)
    images = await images_by_product_id(connection, ids) if include.images and ids else {}
    category_ids = sorted({p.category_id for p in products if p.category_id is not None})
    categories = (
        await categories_by_id(connection, category_ids)
        if include.category and category_ids
        else {}
    )
    return [
        ProductBundle(
            product=product,
            cursor=cursor,
            variants=tuple(variants.get(product.id, ())),
            images=tuple(images.get(product.id, ())),
            category=categories.get(product.category_id) if product.category_id else None,
            channel_stock=tuple([stock[variant.id] for variant in variants.get(product.id, ())])
            if stock_at is not None
            else (),
        )
        for product, cursor in zip(products, cursors, strict=True)
    ]


def _variant_columns() -> Select[Any]:
    return (
        select(
            _variants.c.id,
            _variants.c.product_id,
            _variants.c.sku,
            _variants.c.name,
            _variants.c.position,
            _variants.c.options,
            _prices.c.amount_minor,
            _prices.c.currency,
        )
        .select_from(
            _variants.outerjoin(
                _prices,
                and_(_prices.c.variant_id == _variants.c.id, _prices.c.channel_id == _CHANNEL),
            )
        )
        .order_by(_variants.c.product_id, _variants.c.position, _variants.c.id)
    )


@functools.lru_cache(maxsize=8)
def _variants_by_product_statement(dialect: str, with_stock: bool) -> Select[Any]:
    statement = _variant_columns().where(
        in_bound_list(_variants.c.product_id, "product_ids", dialect, BigInteger())
    )
    if with_stock:
        # Column 8: the availability of a listing, without a statement of its own.
        statement = statement.add_columns(channel_stock(_variants.c.id, dialect))
    return statement


@functools.lru_cache(maxsize=4)
def _visible_variants_by_id_statement(dialect: str) -> Select[Any]:
    return _variant_columns().where(
        in_bound_list(_variants.c.id, "variant_ids", dialect, BigInteger()),
        _variants.c.product_id.in_(
            select(_listings.c.product_id).where(
                _listings.c.channel_id == _CHANNEL, _listings.c.is_published.is_(True)
            )
        ),
    )


def _variant_from_row(row: Sequence[Any]) -> Variant:
    # Positional unpacking: a listing converts 80 of these, and reading a Row's
    # fields by name costs more than building the Variant.
    fields: tuple[Any, ...] = tuple(row[:8])
    id_, product_id, sku, name, position, options, amount_minor, currency = fields
    # Variant's fields in order, by position (keywords cost more, 80 times a listing).
    return Variant(
        id_,
        product_id,
        sku,
        name,
        position,
        _options(options),
        Money(amount_minor, currency) if amount_minor is not None else None,
    )


def _options(raw: list[dict[str, str]] | None) -> tuple[VariantOption, ...]:
    return tuple([VariantOption(o["name"], o["value"]) for o in raw]) if raw else ()


def variant_from_row(row: Row[Any], base_price: Money | None) -> Variant:
    """A variant from its ``variants`` columns, carrying ``base_price``."""
    return Variant(
        id=VariantId(row.id),
        product_id=ProductId(row.product_id),
        sku=row.sku,
        name=row.name,
        position=row.position,
        options=_options(row.options),
        base_price=base_price,
    )


async def variants_by_product_id(
    connection: ReadConnection, channel_id: ChannelId, product_ids: Sequence[int]
) -> dict[ProductId, list[Variant]]:
    """Variants of each product in display order, priced in the channel."""
    grouped, _stock = await _variants_by_product_id(connection, channel_id, product_ids, None)
    return grouped


async def _variants_by_product_id(
    connection: ReadConnection,
    channel_id: ChannelId,
    product_ids: Sequence[int],
    stock_at: datetime | None,
) -> tuple[dict[ProductId, list[Variant]], dict[VariantId, int]]:
    """Variants by product and, given ``stock_at``, each one's stock in the channel then."""
    parameters: dict[str, Any] = {"channel_id": channel_id, "product_ids": list(product_ids)}
    with_stock = stock_at is not None
    if with_stock:
        parameters["now"] = stock_at
    grouped: dict[ProductId, list[Variant]] = {}
    stock: dict[VariantId, int] = {}
    statement = _variants_by_product_statement(connection.dialect.name, with_stock)
    for row in await fetch_rows(connection, statement, parameters):
        variant = _variant_from_row(row)
        grouped.setdefault(variant.product_id, []).append(variant)
        if with_stock:
            stock[variant.id] = row[8]
    return grouped, stock


async def variants_by_id(
    connection: ReadConnection, channel_id: ChannelId, variant_ids: Sequence[int]
) -> dict[VariantId, Variant]:
    """Variants whose product is visible in the channel, priced there."""
    parameters = {"channel_id": channel_id, "variant_ids": list(variant_ids)}
    statement = _visible_variants_by_id_statement(connection.dialect.name)
    rows = (await connection.execute(statement, parameters)).all()
    return {VariantId(row.id): _variant_from_row(row) for row in rows}


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


def _category_from_row(row: Row[Any]) -> Category:
    return Category(
        id=CategoryId(row.id),
        slug=row.slug,
        name=row.name,
        description=row.description,
        parent_id=CategoryId(row.parent_id) if row.parent_id is not None else None,
        position=row.position,
    )


async def categories_by_id(
    connection: ReadConnection, category_ids: Sequence[int]
) -> dict[CategoryId, Category]:
    statement = select(_categories).where(_categories.c.id.in_(category_ids))
    rows = (await connection.execute(statement)).all()
    return {CategoryId(row.id): _category_from_row(row) for row in rows}


async def all_categories(connection: ReadConnection) -> list[Category]:
    """Every category, parents before children's siblings, in display order."""
    statement = select(_categories).order_by(
        _categories.c.position, _categories.c.name, _categories.c.id
    )
    return [_category_from_row(row) for row in (await connection.execute(statement)).all()]


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


async def categories_by_parent_id(
    connection: ReadConnection, parent_ids: Sequence[int]
) -> dict[CategoryId, list[Category]]:
    statement = (
        select(_categories)
        .where(_categories.c.parent_id.in_(parent_ids))
        .order_by(_categories.c.position, _categories.c.name, _categories.c.id)
    )
    grouped: dict[CategoryId, list[Category]] = {}
    for row in (await connection.execute(statement)).all():
        category = _category_from_row(row)
        if category.parent_id is not None:
            grouped.setdefault(category.parent_id, []).append(category)
    return grouped


async def category_by_slug(connection: ReadConnection, slug: str) -> Category | None:
    row = (await connection.execute(select(_categories).where(_categories.c.slug == slug))).first()
    return _category_from_row(row) if row is not None else None
