"""Reading orders: one order whole (by id, number, token digest or checkout key), and
pages of orders for a customer or for staff.

An order is read in a fixed number of statements whatever its size: the order rows,
then its lines, delivery groups, payments and history for every order of the page at
once (``orders_by_ids``).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Select, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.carts.addresses import MailingAddress
from core.carts.model import CartAdjustment
from core.carts.queries import attributes_from_stored
from core.catalog.tables import ProductRow, VariantRow
from core.customers.tables import CustomerRow
from core.db import in_bound_list, table_of
from core.db.driver import Fetches
from core.db.reads import ReadConnection, fetch_named
from core.ids import ChannelId, CustomerId, LocationId, OrderId, OrderLineId, VariantId
from core.money import Money
from core.orders.locations import has_work_at
from core.orders.model import (
    HistoryEntry,
    Order,
    OrderCost,
    OrderDeliveryGroup,
    OrderLine,
    OrderStatus,
    Payment,
    PlannedUnits,
)
from core.orders.return_tables import ReturnRow
from core.orders.tables import (
    OrderDeliveryGroupRow,
    OrderHistoryRow,
    OrderLineRow,
    OrderRow,
    PaymentRow,
)
from core.payments.model import PaymentStatus

orders_table = table_of(OrderRow)
customers_table = table_of(CustomerRow)
variants_table = table_of(VariantRow)
products_table = table_of(ProductRow)
order_lines_table = table_of(OrderLineRow)
order_groups_table = table_of(OrderDeliveryGroupRow)
payments_table = table_of(PaymentRow)
history_table = table_of(OrderHistoryRow)
_returns = table_of(ReturnRow)


def adjustments_from_json(
    stored: Sequence[dict[str, Any]], currency: str
) -> tuple[CartAdjustment, ...]:
    return tuple(
        CartAdjustment(item["label"], item["plugin"], Money(int(item["amount_minor"]), currency))
        for item in stored
    )


def adjustments_to_json(adjustments: Sequence[CartAdjustment]) -> list[dict[str, Any]]:
    return [
        {"label": a.label, "plugin": a.plugin, "amount_minor": a.amount.minor_units}
        for a in adjustments
    ]


async def orders_by_ids(session: AsyncSession, ids: Sequence[OrderId]) -> list[Order]:
    """The orders of ``ids``, whole, in the order of ``ids`` (missing ones left out)."""
    if not ids:
        return []
    wanted = sorted(set(ids))
    rows = (await session.execute(select(orders_table).where(orders_table.c.id.in_(wanted)))).all()
    lines: dict[int, list[Any]] = defaultdict(list)
    for row in await _children(session, order_lines_table, wanted):
        lines[row.order_id].append(row)
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in await _children(session, order_groups_table, wanted):
        groups[row.order_id].append(row)
    payments: dict[int, list[Any]] = defaultdict(list)
    for row in await _children(session, payments_table, wanted):
        payments[row.order_id].append(row)
    history: dict[int, list[Any]] = defaultdict(list)
    for row in await _children(session, history_table, wanted):
        history[row.order_id].append(row)
    received_at: dict[int, list[LocationId]] = defaultdict(list)
    for row in await _received_at(session, wanted):
        received_at[row.order_id].append(LocationId(row.location_id))
    by_id = {
        row.id: order_from_rows(
            row,
            lines[row.id],
            groups[row.id],
            payments[row.id],
            history[row.id],
            received_at=received_at[row.id],
        )
        for row in rows
    }
    return [by_id[order_id] for order_id in ids if order_id in by_id]


async def _received_at(session: AsyncSession, order_ids: Sequence[int]) -> Sequence[Any]:
    """(order_id, location_id) of each location where the orders' returns were received."""
    statement = (
        select(_returns.c.order_id, _returns.c.location_id)
        .where(_returns.c.order_id.in_(order_ids), _returns.c.location_id.is_not(None))
        .distinct()
        .order_by(_returns.c.order_id, _returns.c.location_id)
    )
    return (await session.execute(statement)).all()


async def _children(session: AsyncSession, table: Any, order_ids: Sequence[int]) -> Sequence[Any]:
    statement = select(table).where(table.c.order_id.in_(order_ids)).order_by(table.c.id)
    return (await session.execute(statement)).all()


async def order_id_where(session: AsyncSession, **columns: Any) -> OrderId | None:
    """The id of the order whose ``columns`` have these values (unique columns only)."""
    statement = select(orders_table.c.id).where(
        *(orders_table.c[name] == value for name, value in columns.items())
    )
    found = (await session.execute(statement)).scalar_one_or_none()
    return None if found is None else OrderId(found)


async def checkout_record(db: Fetches, key_digest: str) -> Any | None:
    """The order a checkout key made: id, number, cart, fingerprint and sealed token, or
    None."""
    rows = await db.fetch(_checkout_record(), {"key_digest": key_digest})
    return rows[0] if rows else None


@functools.cache
def _checkout_record() -> Select[Any]:
    return select(
        orders_table.c.id,
        orders_table.c.number,
        orders_table.c.cart_id,
        orders_table.c.checkout_fingerprint,
        orders_table.c.sealed_token,
        orders_table.c.token_digest,
    ).where(orders_table.c.checkout_key_digest == bindparam("key_digest", type_=String()))


@functools.cache
def _sale_names(dialect: str) -> Select[Any]:
    return (
        select(
            variants_table.c.id, variants_table.c.name, products_table.c.name.label("product_name")
        )
        .join(products_table, products_table.c.id == variants_table.c.product_id)
        .where(in_bound_list(variants_table.c.id, "variant_ids", dialect, BigInteger()))
    )


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Staff's order search; every given field must match."""

    channel_id: ChannelId | None = None
    status: OrderStatus | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    email: str | None = None
    customer_id: CustomerId | None = None
    # Only orders with work at one of these locations (a location-scoped staff token).
    location_ids: frozenset[LocationId] | None = None


@dataclass(frozen=True, slots=True)
class OrderCursor:
    """Where a page starts: after the order created at ``created_at`` with ``id``."""

    created_at: datetime
    id: OrderId


async def order_page(
    session: AsyncSession, where: OrderFilter, *, first: int, after: OrderCursor | None
) -> tuple[list[Order], bool]:
    """Orders newest first, ``first`` of them after ``after``; and whether more follow."""
    statement: Select[Any] = select(orders_table.c.id)
    if where.channel_id is not None:
        statement = statement.where(orders_table.c.channel_id == where.channel_id)
    if where.status is not None:
        statement = statement.where(orders_table.c.status == where.status.value)
    if where.created_from is not None:
        statement = statement.where(orders_table.c.created_at >= where.created_from)
    if where.created_to is not None:
        statement = statement.where(orders_table.c.created_at < where.created_to)
    if where.email is not None:
        statement = statement.where(orders_table.c.email == where.email.strip().lower())
    if where.customer_id is not None:
        statement = statement.where(orders_table.c.customer_id == where.customer_id)
    if where.location_ids is not None:
        dialect = session.get_bind().dialect.name
        statement = statement.where(has_work_at(where.location_ids, dialect))
    if after is not None:
        statement = statement.where(
            (orders_table.c.created_at < after.created_at)
            | ((orders_table.c.created_at == after.created_at) & (orders_table.c.id < after.id))
        )
    statement = statement.order_by(
        orders_table.c.created_at.desc(), orders_table.c.id.desc()
    ).limit(first + 1)
    ids = [OrderId(order_id) for order_id in (await session.execute(statement)).scalars()]
    return await orders_by_ids(session, ids[:first]), len(ids) > first


def order_from_rows(
    row: Any,
    lines: Sequence[Any],
    groups: Sequence[Any],
    payments: Sequence[Any],
    history: Sequence[Any],
    *,
    received_at: Sequence[LocationId] = (),
) -> Order:
    currency = row.currency

    def money(minor: int) -> Money:
        return Money(int(minor), currency)

    return Order(
        id=OrderId(row.id),
        number=row.number,
        channel_id=ChannelId(row.channel_id),
        customer_id=None if row.customer_id is None else CustomerId(row.customer_id),
        email=row.email,
        status=OrderStatus(row.status),
        payment_status=PaymentStatus(row.payment_status),
        cost=OrderCost(
            subtotal_amount=money(row.subtotal_minor),
            delivery_amount=money(row.delivery_minor),
            adjustments=adjustments_from_json(row.adjustments or [], currency),
            total_amount=money(row.total_minor),
        ),
        shipping_address=MailingAddress.from_json(row.shipping_address),
        billing_address=MailingAddress.from_json(row.billing_address),
        attributes=attributes_from_stored(row.attributes),
        lines=tuple(
            OrderLine(
                id=OrderLineId(line.id),
                variant_id=None if line.variant_id is None else VariantId(line.variant_id),
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=money(line.unit_price_minor),
                total_price=money(line.total_minor),
                adjustments=adjustments_from_json(line.adjustments or [], currency),
                # Checkout answers from the values it wrote, which leave this to its default.
                cancelled_quantity=getattr(line, "cancelled_quantity", 0),
            )
            for line in lines
        ),
        delivery_groups=tuple(
            OrderDeliveryGroup(
                method=group.method,
                handle=group.handle,
                title=group.title,
                plugin=group.plugin,
                location_id=None if group.location_id is None else LocationId(group.location_id),
                cost=money(group.cost_minor),
                estimated_at=group.estimated_at,
                pay_at_pickup=group.pay_at_pickup,
                lines=tuple(
                    PlannedUnits(
                        OrderLineId(unit["order_line_id"]),
                        LocationId(unit["location_id"]),
                        int(unit["quantity"]),
                    )
                    for unit in group.lines or []
                ),
            )
            for group in groups
        ),
        payments=tuple(
            Payment(
                provider=payment.provider,
                status=PaymentStatus(payment.status),
                amount=money(payment.amount_minor),
                captured=money(payment.captured_minor),
                refunded=money(payment.refunded_minor),
                reference=payment.reference,
            )
            for payment in payments
        ),
        history=tuple(
            HistoryEntry(
                at=entry.at,
                status=OrderStatus(entry.status),
                payment_status=PaymentStatus(entry.payment_status),
                actor=entry.actor,
                note=entry.note,
            )
            for entry in history
        ),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        received_at=tuple(received_at),
        external_id=row.external_id,
    )


async def customer_email(db: Fetches, customer_id: CustomerId | None) -> str:
    if customer_id is None:
        return ""
    rows = await db.fetch(_customer_email(), {"customer_id": customer_id})
    return (rows[0].email if rows else None) or ""


@functools.cache
def _customer_email() -> Select[Any]:
    return select(customers_table.c.email).where(
        customers_table.c.id == bindparam("customer_id", type_=BigInteger())
    )


async def order_versions_by_customer_id(
    db: ReadConnection, customer_id: CustomerId
) -> dict[OrderId, int]:
    """The version of each of the customer's orders, by order id (one small read:
    ``myOrdersChanged`` compares them with what it pushed)."""
    rows = await fetch_named(db, _order_versions(), {"customer_id": customer_id})
    return {OrderId(row.id): row.version for row in rows}


@functools.cache
def _order_versions() -> Select[Any]:
    return select(orders_table.c.id, orders_table.c.version).where(
        orders_table.c.customer_id == bindparam("customer_id", type_=BigInteger())
    )


async def sale_names(db: ReadConnection, variant_ids: Sequence[Any]) -> dict[Any, str]:
    """ "Product name - variant name" per variant (the product's name alone when the
    variant has none)."""
    if not variant_ids:
        return {}
    rows = await fetch_named(
        db, _sale_names(db.dialect.name), {"variant_ids": sorted(set(variant_ids))}
    )
    return {
        row.id: f"{row.product_name} - {row.name}" if row.name else row.product_name for row in rows
    }
