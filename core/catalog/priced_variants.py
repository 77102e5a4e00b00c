"""Variants with their base price in a channel, read in batches.

By product (display order), by id (only where the product is visible in the channel),
and, for a listing that shows availability, with each variant's stock in the channel
as one more column of the same statement.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Row, Select, and_, select

from core.catalog.channel_products import CHANNEL_ID
from core.catalog.model import Variant, VariantOption
from core.catalog.tables import ProductListingRow, VariantPriceRow, VariantRow
from core.db import in_bound_list, table_of
from core.db.reads import ReadConnection, fetch_rows
from core.ids import ChannelId, ProductId, VariantId
from core.inventory.queries import channel_stock
from core.money import Money

_variants = table_of(VariantRow)
_prices = table_of(VariantPriceRow)
_listings = table_of(ProductListingRow)


def variant_columns() -> Select[Any]:
    """A variant's columns and its price in the channel: what ``variant_from_values`` reads."""
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
                and_(_prices.c.variant_id == _variants.c.id, _prices.c.channel_id == CHANNEL_ID),
            )
        )
        .order_by(_variants.c.product_id, _variants.c.position, _variants.c.id)
    )


@functools.lru_cache(maxsize=8)
def _variants_by_product_statement(dialect: str, with_stock: bool) -> Select[Any]:
    statement = variant_columns().where(
        in_bound_list(_variants.c.product_id, "product_ids", dialect, BigInteger())
    )
    if with_stock:
        # Column 8: the availability of a listing, without a statement of its own.
        statement = statement.add_columns(channel_stock(_variants.c.id, dialect))
    return statement


@functools.lru_cache(maxsize=4)
def _visible_variants_by_id_statement(dialect: str) -> Select[Any]:
    return variant_columns().where(
        in_bound_list(_variants.c.id, "variant_ids", dialect, BigInteger()),
        _variants.c.product_id.in_(
            select(_listings.c.product_id).where(
                _listings.c.channel_id == CHANNEL_ID, _listings.c.is_published.is_(True)
            )
        ),
    )


def variant_from_values(row: Sequence[Any]) -> Variant:
    """A variant from the first 8 values of a row shaped like ``variant_columns``."""
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
    grouped, _stock = await variants_and_stock_by_product_id(
        connection, channel_id, product_ids, None
    )
    return grouped


async def variants_and_stock_by_product_id(
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
        variant = variant_from_values(row)
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
    return {VariantId(row.id): variant_from_values(row) for row in rows}
