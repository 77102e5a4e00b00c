"""Cart write steps (``core.db.chain``): touch the cart (and set its addresses), write a
line, claim a key.

Each is the one Core statement builder for that step; the locked change
(``core.carts.change``), the add made in one statement (``core.carts.fast_add``) and
cart creation all use them. Each carries its "nothing changed since I read it" guard
in its WHERE clause, so a step that finds the row changed returns nothing:

- ``touch_cart``: the cart is still active, unexpired and at the version read;
- ``update_line``: the line still has ``read_quantity``;
- ``claim_key``: the idempotency key is new (``ON CONFLICT DO NOTHING``).

On the locked path the cart row is locked first, so these guards hold by
construction; the add made in one statement relies on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, ColumnElement, Insert, Update, and_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from core.carts.addresses import MailingAddress
from core.carts.model import CartStatus
from core.carts.queries import carts_table, lines_table
from core.carts.tables import CartRequestRow
from core.db import JSONText, json_dumps, table_of
from core.db.chain import Refs, Step

requests_table = table_of(CartRequestRow)

TOUCHED_COLUMNS = ("version", "updated_at", "expires_at", "holds_until", "channel_id", "email")
ADDRESS_COLUMNS = ("shipping_address", "billing_address")
LINE_COLUMNS = ("quantity", "unit_price_minor", "currency", "updated_at")
CLAIMED_COLUMNS = (
    "key_digest",
    "cart_id",
    "operation",
    "fingerprint",
    "cart_version",
    "sealed_token",
    "created_at",
)


def _bound(table: Any, column: str, prefix: str = "") -> Any:
    return bindparam(f"{prefix}{column}", type_=table.c[column].type)


def touch_cart(name: str = "cart", *, addresses: bool = False) -> Step:
    """The cart's new version, lifetime, hold expiry, channel and email (``touch_values``);
    a guard: the cart is still active, unexpired (at ``now``) and at its read version.

    ``addresses``: the touch also writes the shipping and billing address
    (``address_values``). They are part of the touch, not a step of their own, because
    PostgreSQL runs a chain as one statement, and one statement must not update the
    same row twice (only one of the two updates would take effect)."""
    columns = TOUCHED_COLUMNS + (ADDRESS_COLUMNS if addresses else ())

    def build(_refs: Refs) -> Update:
        values = {column: _bound(carts_table, column, "cart_") for column in columns}
        if addresses:
            values.update(
                {
                    column: bindparam(f"cart_{column}", type_=JSONText())
                    for column in ADDRESS_COLUMNS
                }
            )
        return (
            carts_table.update()
            .where(
                carts_table.c.id == bindparam("cart_id", type_=BigInteger()),
                carts_table.c.version == bindparam("cart_read_version", type_=BigInteger()),
                carts_table.c.status == CartStatus.ACTIVE.value,
                carts_table.c.expires_at > bindparam("now", type_=carts_table.c.expires_at.type),
            )
            .values(values)
            .returning(carts_table.c.id)
        )

    return Step(name, build, required=True, key=f"touch:{name}:{addresses}")


def touch_values(
    *,
    cart_id: int,
    read_version: int,
    now: datetime,
    expires_at: datetime,
    holds_until: datetime | None,
    channel_id: int,
    email: str,
) -> dict[str, Any]:
    return {
        "cart_id": cart_id,
        "cart_read_version": read_version,
        "cart_version": read_version + 1,
        "now": now,
        "cart_updated_at": now,
        "cart_expires_at": expires_at,
        "cart_holds_until": holds_until,
        "cart_channel_id": channel_id,
        "cart_email": email,
    }


def address_values(
    *, shipping: MailingAddress | None, billing: MailingAddress | None
) -> dict[str, Any]:
    """The addresses a touch with ``addresses`` writes (None clears one)."""
    return {
        "cart_shipping_address": None if shipping is None else json_dumps(shipping.to_json()),
        "cart_billing_address": None if billing is None else json_dumps(billing.to_json()),
    }


def insert_line(name: str = "line", *, after: str | None = None, with_id: bool = False) -> Step:
    """A new line (``cart_id``, ``variant_id``, ``created_at`` and ``LINE_COLUMNS``,
    prefixed ``<name>_``); ``with_id``: its id given (``<name>_id``, drawn before
    pricing). Required: a line that exists already refuses the change."""
    prefix = f"{name}_"
    columns = [
        *(["id"] if with_id else []),
        "cart_id",
        "variant_id",
        "created_at",
        *LINE_COLUMNS,
    ]

    def build(refs: Refs) -> Insert:
        values = select(*[_bound(lines_table, column, prefix) for column in columns])
        if after is not None:
            values = values.where(refs.happened(after))
        return lines_table.insert().from_select(columns, values).returning(lines_table.c.id)

    return Step(
        name, build, required=True, key=f"insert_line:{name}:{after}:{with_id}", returns=True
    )


def update_line(name: str = "line", *, after: str | None = None) -> Step:
    """A line's quantity and price (``<name>_line_id``, ``LINE_COLUMNS`` prefixed
    ``<name>_``); a guard: it still has ``<name>_read_quantity``."""
    prefix = f"{name}_"

    def build(refs: Refs) -> Update:
        conditions: list[ColumnElement[bool]] = [
            lines_table.c.id == bindparam(f"{prefix}line_id", type_=BigInteger()),
            lines_table.c.quantity == bindparam(f"{prefix}read_quantity", type_=BigInteger()),
        ]
        if after is not None:
            conditions.append(refs.happened(after))
        return (
            lines_table.update()
            .where(*conditions)
            .values({column: _bound(lines_table, column, prefix) for column in LINE_COLUMNS})
            .returning(lines_table.c.id)
        )

    return Step(name, build, required=True, key=f"update_line:{name}:{after}")


def select_delivery(name: str = "delivery") -> Step:
    """The cart's delivery selection (``selection_values``)."""
    return set_json(name, "delivery_selection")


def set_attributes(name: str = "attributes") -> Step:
    """The cart's attributes (``json_values``: ``core.carts.attributes``)."""
    return set_json(name, "attributes")


def set_json(name: str, column: str) -> Step:
    """One JSON column of the cart (``<name>_value``, a JSON object or None); a guard:
    the cart is still at its read version (``<name>_read_version``, the version
    ``touch_cart`` moves on in the same change).

    Run at once, not with the commit: PostgreSQL runs a chain as one statement, and one
    statement must not update the cart row twice (with the touch)."""
    prefix = f"{name}_"
    target = carts_table.c[column]

    def build(_refs: Refs) -> Update:
        return (
            carts_table.update()
            .where(
                carts_table.c.id == bindparam(f"{prefix}cart_id", type_=BigInteger()),
                carts_table.c.version == bindparam(f"{prefix}read_version", type_=BigInteger()),
            )
            .values({column: bindparam(f"{prefix}value", type_=target.type)})
            .returning(carts_table.c.id)
        )

    return Step(name, build, required=True, key=f"set_json:{name}:{column}")


def selection_values(
    name: str,
    *,
    dialect: str,
    cart_id: int,
    read_version: int,
    selection: Mapping[str, str],
) -> dict[str, Any]:
    """Values for ``select_delivery``."""
    return json_values(
        name, dialect=dialect, cart_id=cart_id, read_version=read_version, value=selection
    )


def json_values(
    name: str,
    *,
    dialect: str,
    cart_id: int,
    read_version: int,
    value: Mapping[str, str],
) -> dict[str, Any]:
    """Values for ``set_json``: an empty object is stored as NULL.

    On PostgreSQL the statement driver hands values to asyncpg as they are, and its
    ``json`` codec takes text; SQLite's path encodes through the column's JSON type.
    """
    stored: Any = dict(value) or None
    if stored is not None and dialect == "postgresql":
        stored = orjson.dumps(stored).decode()
    return {
        f"{name}_cart_id": cart_id,
        f"{name}_read_version": read_version,
        f"{name}_value": stored,
    }


def line_values(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` prefixed for the line step ``name``."""
    return {f"{name}_{key}": value for key, value in values.items()}


def claim_key(dialect: str, name: str = "claimed", *, after: str | None = None) -> Step:
    """Record a keyed request (``CLAIMED_COLUMNS``, prefixed ``claim_``); it returns a
    row only when the key is new. Not required by itself: the caller decides whether
    an earlier record means a replay (the locked path) or a lost race."""
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert

    def build(refs: Refs) -> Insert:
        key_digest = _bound(requests_table, "key_digest", "claim_")
        # A real WHERE: SQLite needs one before ON CONFLICT in INSERT ... SELECT.
        condition: ColumnElement[bool] = key_digest.is_not(None)
        if after is not None:
            condition = and_(condition, refs.happened(after))
        values = select(
            *[_bound(requests_table, column, "claim_") for column in CLAIMED_COLUMNS]
        ).where(condition)
        return (
            builder(requests_table)
            .from_select(list(CLAIMED_COLUMNS), values)
            .on_conflict_do_nothing(index_elements=["key_digest"])
            .returning(requests_table.c.id)
        )

    return Step(name, build, key=f"claim:{dialect}:{name}:{after}")


def claim_values(
    *,
    key_digest: str | None,
    cart_id: int,
    operation: str,
    fingerprint: str,
    cart_version: int,
    now: datetime,
    sealed_token: str | None = None,
) -> dict[str, Any]:
    return {
        "claim_key_digest": key_digest,
        "claim_cart_id": cart_id,
        "claim_operation": operation,
        "claim_fingerprint": fingerprint,
        "claim_cart_version": cart_version,
        "claim_sealed_token": sealed_token,
        "claim_created_at": now,
    }
