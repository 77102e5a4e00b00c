"""Reads for carts: by token digest, with lines, and what the catalog says of their variants.

Each function takes a connection: a read connection (``core.db.reads``) for queries,
or the unit of work (``core.db.driver.Fetches``) inside a cart change.
``cart_for_update`` also locks the cart row, so a cart's changes are serialised: two
devices adding at once both land, one after the other, each on the version the other
left.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import (
    BigInteger,
    Row,
    Select,
    String,
    and_,
    bindparam,
    column,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from core.carts.addresses import MailingAddress
from core.carts.model import Cart, CartLine, CartStatus, SaleInfo
from core.carts.tables import CartLineRow, CartRow
from core.catalog.tables import ProductListingRow, VariantPriceRow, VariantRow
from core.channels.model import Channel
from core.channels.queries import channel_statement, channels_table, fold_channels
from core.db import table_of
from core.db.driver import Fetches
from core.db.reads import ReadConnection
from core.ids import CartId, CartLineId, ChannelId, CustomerId, ProductId, VariantId
from core.money import Money

carts_table = table_of(CartRow)
lines_table = table_of(CartLineRow)
_variants = table_of(VariantRow)
_listings = table_of(ProductListingRow)
_prices = table_of(VariantPriceRow)

CART_COLUMNS = (
    carts_table.c.id,
    carts_table.c.channel_id,
    carts_table.c.customer_id,
    carts_table.c.email,
    carts_table.c.status,
    carts_table.c.merged_into_id,
    carts_table.c.version,
    carts_table.c.created_at,
    carts_table.c.updated_at,
    carts_table.c.expires_at,
    carts_table.c.holds_until,
    carts_table.c.token_digest,
    carts_table.c.shipping_address,
    carts_table.c.billing_address,
    carts_table.c.delivery_selection,
    carts_table.c.attributes,
)


def cart_from_row(row: Any, prefix: str = "", lines: Sequence[CartLine] = ()) -> Cart:
    """A cart from a row of its columns, named ``<prefix><column>`` (no lines unless given)."""

    def value(name: str) -> Any:
        return getattr(row, f"{prefix}{name}")

    customer_id = value("customer_id")
    merged_into_id = value("merged_into_id")
    return Cart(
        id=CartId(value("id")),
        channel_id=ChannelId(value("channel_id")),
        customer_id=None if customer_id is None else CustomerId(customer_id),
        email=value("email"),
        status=CartStatus(value("status")),
        merged_into_id=None if merged_into_id is None else CartId(merged_into_id),
        version=value("version"),
        created_at=value("created_at"),
        updated_at=value("updated_at"),
        expires_at=value("expires_at"),
        holds_until=value("holds_until"),
        lines=tuple(lines),
        shipping_address=MailingAddress.from_json(value("shipping_address")),
        billing_address=MailingAddress.from_json(value("billing_address")),
        delivery_selection=selection_from_stored(value("delivery_selection")),
        attributes=attributes_from_stored(value("attributes")),
    )


def selection_from_stored(stored: Any) -> tuple[tuple[str, str], ...]:
    """The stored JSON object of a cart's delivery selection as sorted pairs."""
    return tuple(sorted(attributes_from_stored(stored)))


def attributes_from_stored(stored: Any) -> tuple[tuple[str, str], ...]:
    """A stored JSON object of string pairs (attributes, a delivery selection) as pairs
    in stored order. (A text statement's JSON column arrives undecoded on PostgreSQL:
    ``core.carts.fast_add``.)"""
    if stored is None:
        return ()
    if isinstance(stored, str | bytes):
        stored = orjson.loads(stored)
    return tuple((str(key), str(value)) for key, value in stored.items())


def line_from_row(row: Row[Any]) -> CartLine:
    return CartLine(
        id=CartLineId(row.id),
        variant_id=VariantId(row.variant_id),
        quantity=row.quantity,
        unit_price_when_added=(
            None if row.unit_price_minor is None else Money(int(row.unit_price_minor), row.currency)
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def cart_header_by_digest(connection: ReadConnection, digest: str) -> Row[Any] | None:
    """The cart row (no lines) for a token digest; ``token_digest`` included for checks."""
    return (
        await connection.execute(select(*CART_COLUMNS).where(carts_table.c.token_digest == digest))
    ).first()


@functools.cache
def _cart_for_update_statement() -> Select[Any]:
    return cast(
        Select[Any],
        channel_statement()
        .add_columns(*[column.label(f"cart_{column.name}") for column in CART_COLUMNS])
        .join(carts_table, carts_table.c.channel_id == channels_table.c.id)
        .where(carts_table.c.token_digest == bindparam("digest", type_=String()))
        .with_for_update(of=carts_table),
    )


async def cart_for_update(db: Fetches, digest: str) -> tuple[Any, Channel] | None:
    """Lock the cart of a token digest and read its channel, in one statement.

    The row's cart columns are prefixed ``cart_`` (``cart_from_row(row, "cart_")``).
    """
    rows = await db.fetch(_cart_for_update_statement(), {"digest": digest})
    if not rows:
        return None
    return rows[0], fold_channels(rows)[0]


async def lines_of(
    connection: ReadConnection, cart_ids: Collection[CartId]
) -> dict[CartId, list[CartLine]]:
    if not cart_ids:
        return {}
    rows = (
        await connection.execute(
            select(lines_table)
            .where(lines_table.c.cart_id.in_(sorted(set(cart_ids))))
            .order_by(lines_table.c.cart_id, lines_table.c.created_at, lines_table.c.id)
        )
    ).all()
    by_cart: dict[CartId, list[CartLine]] = {CartId(cart_id): [] for cart_id in cart_ids}
    for row in rows:
        by_cart[CartId(row.cart_id)].append(line_from_row(row))
    return by_cart


async def cart_by_id(connection: ReadConnection, cart_id: CartId) -> Cart | None:
    row = (
        await connection.execute(select(*CART_COLUMNS).where(carts_table.c.id == cart_id))
    ).first()
    if row is None:
        return None
    lines = await lines_of(connection, [cart_id])
    return cart_from_row(row, lines=lines[cart_id])


async def active_cart_id_for_customer(
    connection: ReadConnection,
    customer_id: CustomerId,
    channel_id: ChannelId,
    *,
    now: datetime,
    lock: bool = False,
) -> CartId | None:
    """The customer's most recently changed active cart in the channel that has not
    expired at ``now`` (an expired one is kept until the sweep, but is no one's cart)."""
    statement = (
        select(carts_table.c.id)
        .where(
            carts_table.c.customer_id == customer_id,
            carts_table.c.channel_id == channel_id,
            carts_table.c.status == CartStatus.ACTIVE.value,
            carts_table.c.expires_at > now,
        )
        .order_by(carts_table.c.updated_at.desc(), carts_table.c.id.desc())
        .limit(1)
    )
    if lock:
        statement = statement.with_for_update()
    found = (await connection.execute(statement)).scalar()
    return None if found is None else CartId(found)


async def sale_info(
    connection: ReadConnection, channel_id: ChannelId, variant_ids: Collection[VariantId]
) -> dict[VariantId, SaleInfo]:
    """Per existing variant: its product, SKU and base price where it is sold in the channel.

    A variant missing from the result does not exist; one with ``base_price`` None
    exists but is not sold in the channel (no price there, or not published there).
    """
    if not variant_ids:
        return {}
    rows = (
        await connection.execute(
            select(
                _variants.c.id,
                _variants.c.product_id,
                _variants.c.sku,
                _prices.c.amount_minor,
                _prices.c.currency,
                _listings.c.is_published,
            )
            .select_from(
                _variants.outerjoin(
                    _prices,
                    and_(
                        _prices.c.variant_id == _variants.c.id, _prices.c.channel_id == channel_id
                    ),
                ).outerjoin(
                    _listings,
                    and_(
                        _listings.c.product_id == _variants.c.product_id,
                        _listings.c.channel_id == channel_id,
                    ),
                )
            )
            .where(_variants.c.id.in_(sorted(set(variant_ids))))
        )
    ).all()
    return {VariantId(row.id): _sale_info(row) for row in rows}


def _sale_info(row: Any) -> SaleInfo:
    sold = row.amount_minor is not None and bool(row.is_published)
    return SaleInfo(
        variant_id=VariantId(row.id),
        product_id=ProductId(row.product_id),
        sku=row.sku,
        base_price=Money(int(row.amount_minor), row.currency) if sold else None,
    )


def line_info_sql(*, cart_id: str, channel_id: str, variant_ids: str) -> str:
    """PostgreSQL: a SELECT of ``LINE_INFO_COLUMNS`` for the cart's lines and for
    ``variant_ids`` (an SQL array of ids), given SQL for the cart's and channel's ids.

    Each variant, its price and listing and its line are looked up by key. (A
    ``variant IN (the cart's) OR variant IN (...)`` filter and plain joins read every
    variant, price and listing of the catalog instead: three times the read.)
    """
    return f"""SELECT v.id, v.product_id, v.sku, pr.amount_minor, pr.currency, li.is_published,
       l.id AS line_id, l.quantity, l.unit_price_minor, l.currency AS line_currency,
       l.created_at, l.updated_at
FROM variants AS v
-- LIMIT 1 (each is unique anyway) keeps the planner from making these hash joins
-- over every price and listing of the channel.
LEFT JOIN LATERAL (
    SELECT p.amount_minor, p.currency FROM variant_prices AS p
    WHERE p.channel_id = {channel_id} AND p.variant_id = v.id LIMIT 1
) AS pr ON true
LEFT JOIN LATERAL (
    SELECT x.is_published FROM product_listings AS x
    WHERE x.channel_id = {channel_id} AND x.product_id = v.product_id LIMIT 1
) AS li ON true
LEFT JOIN cart_lines AS l ON l.cart_id = {cart_id} AND l.variant_id = v.id
WHERE v.id = ANY (
    ARRAY(SELECT lc.variant_id FROM cart_lines AS lc WHERE lc.cart_id = {cart_id})
    || {variant_ids}
)"""


@functools.lru_cache(maxsize=4)
def _lines_and_sale_info_statement(dialect: str) -> Any:
    cart_id = bindparam("cart_id", type_=BigInteger())
    channel_id = bindparam("channel_id", type_=BigInteger())
    if dialect == "postgresql":
        return (
            text(
                line_info_sql(
                    cart_id=":cart_id",
                    channel_id=":channel_id",
                    variant_ids="CAST(:variant_ids AS BIGINT[])",
                )
            )
            .bindparams(cart_id, channel_id, bindparam("variant_ids", type_=ARRAY(BigInteger())))
            .columns(*[column(name) for name in LINE_INFO_COLUMNS])
        )
    in_cart = select(lines_table.c.variant_id).where(lines_table.c.cart_id == cart_id)
    asked = _variants.c.id.in_(bindparam("variant_ids", expanding=True))
    return (
        select(
            _variants.c.id,
            _variants.c.product_id,
            _variants.c.sku,
            _prices.c.amount_minor,
            _prices.c.currency,
            _listings.c.is_published,
            lines_table.c.id.label("line_id"),
            lines_table.c.quantity,
            lines_table.c.unit_price_minor,
            lines_table.c.currency.label("line_currency"),
            lines_table.c.created_at,
            lines_table.c.updated_at,
        )
        .select_from(
            _variants.outerjoin(
                _prices,
                and_(_prices.c.variant_id == _variants.c.id, _prices.c.channel_id == channel_id),
            )
            .outerjoin(
                _listings,
                and_(
                    _listings.c.product_id == _variants.c.product_id,
                    _listings.c.channel_id == channel_id,
                ),
            )
            .outerjoin(
                lines_table,
                and_(lines_table.c.cart_id == cart_id, lines_table.c.variant_id == _variants.c.id),
            )
        )
        .where(or_(_variants.c.id.in_(in_cart), asked))
    )


async def lines_and_sale_info(
    db: Fetches,
    dialect: str,
    cart_id: CartId,
    channel_id: ChannelId,
    variant_ids: Collection[VariantId] = (),
) -> tuple[list[CartLine], dict[VariantId, SaleInfo]]:
    """The cart's lines, and sale info for their variants and ``variant_ids``: one statement."""
    rows = await db.fetch(
        _lines_and_sale_info_statement(dialect),
        {"cart_id": cart_id, "channel_id": channel_id, "variant_ids": sorted(set(variant_ids))},
    )
    return lines_from_rows(rows)


async def claim_then_lines(
    db: Fetches,
    claim: Any,
    claim_values: dict[str, Any],
    cart_id: CartId,
    channel_id: ChannelId,
    variant_ids: Collection[VariantId] = (),
) -> tuple[bool, list[CartLine], dict[VariantId, SaleInfo]]:
    """PostgreSQL: ``claim`` (an INSERT ... ON CONFLICT DO NOTHING RETURNING id, given
    ``claim_values``), then ``lines_and_sale_info``, in one statement: whether the claim
    inserted its row, the lines and the sale info.

    The lines are read on the statement's snapshot, taken after the cart's row lock
    (the statement before), so they are the cart's latest.
    """
    rows = await db.fetch(
        _claim_then_lines_statement(claim),
        {
            **claim_values,
            "cart_id": cart_id,
            "channel_id": channel_id,
            "variant_ids": sorted(set(variant_ids)),
        },
    )
    claimed = bool(rows) and rows[0].claimed_id is not None
    lines, info = lines_from_rows([row for row in rows if row.id is not None])
    return claimed, lines, info


@functools.lru_cache(maxsize=2)
def _claim_then_lines_statement(claim: Any) -> Select[Any]:
    inserted = claim.cte("claimed")
    found = _lines_and_sale_info_statement("postgresql").subquery("found")
    # One row at least (nulls past claimed_id when nothing is found), so the claim's
    # answer always comes back.
    one = select(literal(1).label("one")).subquery("one")
    return select(
        select(inserted.c.id).scalar_subquery().label("claimed_id"),
        *[found.c[name] for name in LINE_INFO_COLUMNS],
    ).select_from(one.outerjoin(found, true()))


LINE_INFO_COLUMNS = (
    "id",
    "product_id",
    "sku",
    "amount_minor",
    "currency",
    "is_published",
    "line_id",
    "quantity",
    "unit_price_minor",
    "line_currency",
    "created_at",
    "updated_at",
)


def lines_from_rows(
    rows: Sequence[Any],
) -> tuple[list[CartLine], dict[VariantId, SaleInfo]]:
    """The lines and the sale info in rows of ``LINE_INFO_COLUMNS`` (one per variant)."""
    lines: list[CartLine] = []
    info: dict[VariantId, SaleInfo] = {}
    for row in rows:
        info[VariantId(row.id)] = _sale_info(row)
        if row.line_id is not None:
            lines.append(
                CartLine(
                    id=CartLineId(row.line_id),
                    variant_id=VariantId(row.id),
                    quantity=row.quantity,
                    unit_price_when_added=(
                        None
                        if row.unit_price_minor is None
                        else Money(int(row.unit_price_minor), row.line_currency)
                    ),
                    created_at=row.created_at,
                    updated_at=row.updated_at,
                )
            )
    lines.sort(key=lambda line: (line.created_at, line.id))
    return lines, info


async def cart_secret(connection: ReadConnection, cart_id: CartId) -> tuple[str, str] | None:
    """The cart's token digest and sealed token (None for a cart sealed by no key)."""
    row = (
        await connection.execute(
            select(carts_table.c.token_digest, carts_table.c.sealed_token).where(
                carts_table.c.id == cart_id
            )
        )
    ).first()
    if row is None or row.sealed_token is None:
        return None
    return row.token_digest, row.sealed_token
