"""The order's write steps (``core.db.chain.Step``), each the one Core statement builder
for its write, with bind parameters (so the statement driver compiles it once), and
the functions that give their bind values: insert the order, its lines, its delivery
groups and its payment, append history, move the status and the payment status (with
a version guard), set a payment's status and amounts, complete the cart.

Checkout runs its last steps inside ``UnitOfWork.commit`` (one statement with the
outbox rows on PostgreSQL); ``core.orders.writes`` runs them one by one for everyone
else.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Insert, bindparam, insert
from sqlalchemy.sql.dml import UpdateBase

from core.carts.model import CartStatus
from core.carts.queries import carts_table
from core.db import JSONText, json_dumps
from core.db.chain import GuardFailed, Refs, Step
from core.errors import DomainError, ErrorCode
from core.ids import CartId, OrderId
from core.orders.model import OrderStatus
from core.orders.queries import (
    history_table,
    order_groups_table,
    order_lines_table,
    orders_table,
    payments_table,
)
from core.payments.model import PaymentStatus

# The JSON columns, bound as text serialised by the caller (``JSONText``), so that the
# statement driver can send them to asyncpg as they are.
_JSON_COLUMNS = frozenset(
    {"adjustments", "shipping_address", "billing_address", "lines", "attributes"}
)


def _bound(table: Any, column: str, name: str) -> Any:
    if column in _JSON_COLUMNS:
        return bindparam(name, type_=JSONText())
    return bindparam(name, type_=table.c[column].type)


def _row_values(table: Any, prefix: str, columns: Sequence[str]) -> dict[str, Any]:
    return {column: _bound(table, column, f"{prefix}{column}") for column in columns}


def _prefixed(prefix: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        f"{prefix}{column}": (
            json_dumps(value) if column in _JSON_COLUMNS and value is not None else value
        )
        for column, value in values.items()
    }


ORDER_COLUMNS = (
    "number",
    "token_digest",
    "sealed_token",
    "checkout_key_digest",
    "checkout_fingerprint",
    "cart_id",
    "channel_id",
    "customer_id",
    "email",
    "status",
    "payment_status",
    "currency",
    "subtotal_minor",
    "delivery_minor",
    "total_minor",
    "adjustments",
    "shipping_address",
    "billing_address",
    "attributes",
    "version",
    "created_at",
    "updated_at",
    "external_id",
    "external_placed_at",
)
LINE_COLUMNS = (
    "variant_id",
    "sku",
    "name",
    "quantity",
    "unit_price_minor",
    "total_minor",
    "currency",
    "adjustments",
)
GROUP_COLUMNS = (
    "method",
    "handle",
    "title",
    "plugin",
    "location_id",
    "cost_minor",
    "estimated_at",
    "pay_at_pickup",
    "lines",
)
PAYMENT_COLUMNS = (
    "provider",
    "status",
    "amount_minor",
    "captured_minor",
    "refunded_minor",
    "currency",
    "reference",
    "created_at",
    "updated_at",
)
HISTORY_COLUMNS = ("at", "status", "payment_status", "actor", "note")


def _order_id(prefix: str) -> Any:
    return bindparam(f"{prefix}order_id", type_=BigInteger())


# -- the steps -------------------------------------------------------------------------


@functools.cache
def order_step() -> Step:
    """Insert the order (``order_values``); returns its id."""

    def build(_refs: Refs) -> Insert:
        return (
            insert(orders_table)
            .values(_row_values(orders_table, "order_", ORDER_COLUMNS))
            .returning(orders_table.c.id)
        )

    return Step("placed", build, key="order:insert", returns=True)


@functools.cache
def lines_statement(count: int) -> Insert:
    """Insert ``count`` lines of one order (``lines_values``); returns their ids, which
    the sequence gives in the order of the rows."""
    return (
        insert(order_lines_table)
        .values(
            [
                {
                    "order_id": _order_id("lines_"),
                    **_row_values(order_lines_table, f"line{index}_", LINE_COLUMNS),
                }
                for index in range(count)
            ]
        )
        .returning(order_lines_table.c.id)
    )


@functools.cache
def groups_step(count: int) -> Step:
    """Insert ``count`` delivery groups of one order (``groups_values``)."""

    def build(_refs: Refs) -> Insert:
        return (
            insert(order_groups_table)
            .values(
                [
                    {
                        "order_id": _order_id("groups_"),
                        **_row_values(order_groups_table, f"group{index}_", GROUP_COLUMNS),
                    }
                    for index in range(count)
                ]
            )
            .returning(order_groups_table.c.id)
        )

    return Step("groups", build, key=f"order_groups:{count}")


@functools.cache
def payment_step() -> Step:
    """Insert a payment of an order (``payment_values``)."""

    def build(_refs: Refs) -> Insert:
        return (
            insert(payments_table)
            .values(
                order_id=_order_id("payment_"),
                **_row_values(payments_table, "payment_", PAYMENT_COLUMNS),
            )
            .returning(payments_table.c.id)
        )

    return Step("payment", build, key="order_payment:insert")


@functools.cache
def history_step() -> Step:
    """Append an entry to an order's history (``history_values``)."""

    def build(_refs: Refs) -> Insert:
        return (
            insert(history_table)
            .values(
                order_id=_order_id("history_"),
                **_row_values(history_table, "history_", HISTORY_COLUMNS),
            )
            .returning(history_table.c.id)
        )

    return Step("history", build, key="order_history:insert")


@functools.cache
def move_step(*, status: bool, payment_status: bool) -> Step:
    """Move the order to its next version, with a new status and/or payment status
    (``move_values``); a guard: the order is still at the version read."""
    columns: tuple[str, ...] = ("version", "updated_at")
    columns += ("status",) if status else ()
    columns += ("payment_status",) if payment_status else ()

    def build(_refs: Refs) -> UpdateBase:
        return (
            orders_table.update()
            .where(
                orders_table.c.id == _order_id("move_"),
                orders_table.c.version == bindparam("move_read_version", type_=BigInteger()),
            )
            .values(_row_values(orders_table, "move_", columns))
            .returning(orders_table.c.version)
        )

    return Step("moved", build, required=True, key=f"order_move:{status}:{payment_status}")


@functools.cache
def set_payment_step(*, captured: bool, refunded: bool) -> Step:
    """A payment of an order (by provider) at its new status (and captured and/or
    refunded total)."""
    columns: tuple[str, ...] = ("status", "updated_at")
    columns += ("captured_minor",) if captured else ()
    columns += ("refunded_minor",) if refunded else ()

    def build(_refs: Refs) -> UpdateBase:
        return (
            payments_table.update()
            .where(
                payments_table.c.order_id == _order_id("payment_"),
                payments_table.c.provider
                == bindparam("payment_provider", type_=payments_table.c.provider.type),
            )
            .values(_row_values(payments_table, "payment_", columns))
            .returning(payments_table.c.id)
        )

    return Step("payment_set", build, key=f"order_payment:set:{captured}:{refunded}")


@functools.cache
def complete_cart_step() -> Step:
    """The cart becomes read-only: completed, at its next version; a guard: it is still
    active at the version read (the checkout locked it, so it holds by construction)."""

    def build(_refs: Refs) -> UpdateBase:
        return (
            carts_table.update()
            .where(
                carts_table.c.id == bindparam("completed_cart_id", type_=BigInteger()),
                carts_table.c.version == bindparam("completed_read_version", type_=BigInteger()),
                carts_table.c.status == CartStatus.ACTIVE.value,
            )
            .values(
                status=CartStatus.COMPLETED.value,
                version=bindparam("completed_version", type_=BigInteger()),
                updated_at=bindparam("completed_at", type_=carts_table.c.updated_at.type),
            )
            .returning(carts_table.c.version)
        )

    return Step("cart_completed", build, required=True, key="cart:complete")


# -- their values ----------------------------------------------------------------------


def order_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return _prefixed("order_", values)


def lines_values(order_id: OrderId, lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {"lines_order_id": order_id}
    for index, line in enumerate(lines):
        values.update(_prefixed(f"line{index}_", line))
    return values


def groups_values(order_id: OrderId, groups: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {"groups_order_id": order_id}
    for index, group in enumerate(groups):
        values.update(_prefixed(f"group{index}_", group))
    return values


def payment_values(order_id: OrderId, values: Mapping[str, Any]) -> dict[str, Any]:
    return {"payment_order_id": order_id, **_prefixed("payment_", values)}


def history_values(
    order_id: OrderId,
    *,
    at: datetime,
    status: OrderStatus,
    payment_status: PaymentStatus,
    actor: str,
    note: str = "",
) -> dict[str, Any]:
    return {
        "history_order_id": order_id,
        "history_at": at,
        "history_status": status.value,
        "history_payment_status": payment_status.value,
        "history_actor": actor,
        "history_note": note,
    }


def move_values(
    order_id: OrderId,
    *,
    read_version: int,
    now: datetime,
    status: OrderStatus | None = None,
    payment_status: PaymentStatus | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "move_order_id": order_id,
        "move_read_version": read_version,
        "move_version": read_version + 1,
        "move_updated_at": now,
    }
    if status is not None:
        values["move_status"] = status.value
    if payment_status is not None:
        values["move_payment_status"] = payment_status.value
    return values


def complete_cart_values(cart_id: CartId, *, read_version: int, now: datetime) -> dict[str, Any]:
    return {
        "completed_cart_id": cart_id,
        "completed_read_version": read_version,
        "completed_version": read_version + 1,
        "completed_at": now,
    }


def guard_error(failed: GuardFailed) -> DomainError:
    """What a failed guard of these steps tells the caller."""
    if failed.step == "cart_completed":
        return DomainError.single(
            ErrorCode.CART_VERSION_CONFLICT, "The cart changed during checkout", "token"
        )
    return DomainError.single(
        ErrorCode.ORDER_STATUS_INVALID, "The order changed meanwhile; read it again", "id"
    )
