"""Stock write steps (``core.db.chain``): take stock, grow or insert a hold, extend holds.

Each is the one Core statement builder for that step, used by every operation that
does it: a cart change's planned holds (``core.inventory.holds``), the cart add made
in one statement (``core.carts.fast_add``), merges and resumes. Their bind parameters
(``prefix``, ``stock_`` by default, + name):

- take: ``variant_id``, ``location_id``, ``quantity``; ``now``;
- hold: the take's, and ``owner_kind``, ``owner_id``, ``expires_at``;
- extend: ``owner_kind``, ``owner_id``, ``hold_until``; ``now``.

The guard of a take is its WHERE clause: ``on_hand - reserved >= quantity`` on the
row's current values, so no interleaving of requests or processes oversells
(PostgreSQL re-checks the WHERE after waiting for the row lock; SQLite serialises
writers). An expired, unswept reservation still counts as reserved here, so the
guard can only refuse too early, never oversell.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Insert,
    String,
    Update,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)

from core.db import in_bound_list
from core.db.chain import Refs, Step
from core.inventory.levels import levels_table, reservations_table

_reservation_time = reservations_table.c.expires_at.type

# The prefix of the steps' bind parameters: SQLAlchemy reserves a table's column names
# for the values of an INSERT or UPDATE of that table.
PREFIX = "stock_"


def take_stock(name: str = "taken", *, prefix: str = PREFIX, after: str | None = None) -> Step:
    """Take ``quantity`` units of a variant at a location (``reserved`` grows), when it
    has them; required: a take that finds too little refuses the whole change."""

    def build(refs: Refs) -> Update:
        quantity = bindparam(f"{prefix}quantity", type_=BigInteger())
        conditions: list[ColumnElement[bool]] = [
            levels_table.c.variant_id == bindparam(f"{prefix}variant_id", type_=BigInteger()),
            levels_table.c.location_id == bindparam(f"{prefix}location_id", type_=BigInteger()),
            levels_table.c.on_hand - levels_table.c.reserved >= quantity,
        ]
        if after is not None:
            conditions.append(refs.happened(after))
        return (
            update(levels_table)
            .where(*conditions)
            .values(
                reserved=levels_table.c.reserved + quantity,
                version=levels_table.c.version + 1,
                updated_at=bindparam("now", type_=levels_table.c.updated_at.type),
            )
            .returning(levels_table.c.location_id)
        )

    return Step(name, build, required=True, key=f"take:{name}:{prefix}:{after}")


def _owned(prefix: str, table: Any = reservations_table) -> list[ColumnElement[bool]]:
    return [
        table.c.owner_kind == bindparam(f"{prefix}owner_kind", type_=String()),
        table.c.owner_id == bindparam(f"{prefix}owner_id", type_=String()),
        table.c.expires_at > bindparam("now", type_=_reservation_time),
    ]


def _first_hold(prefix: str) -> Any:
    """The owner's oldest active reservation of the variant at the location: the one a
    take grows."""
    held = reservations_table.alias("held")
    return (
        select(func.min(held.c.id))
        .where(
            *_owned(prefix, held),
            held.c.variant_id == bindparam(f"{prefix}variant_id", type_=BigInteger()),
            held.c.location_id == bindparam(f"{prefix}location_id", type_=BigInteger()),
        )
        .scalar_subquery()
    )


def hold_steps(
    dialect: str, *, taken: str = "taken", prefix: str = PREFIX, name: str = "", grow: bool = True
) -> tuple[Step, ...]:
    """After take ``taken``: the owner's active reservation there grows by the quantity
    (``<name>grown``), or a new one is inserted (``<name>inserted``). Both return the
    reservation's columns. Without ``grow`` every take inserts a reservation of its own
    (a reservation made as a use case of its own, with its own expiry)."""
    later = func.max if dialect == "sqlite" else func.greatest
    quantity = bindparam(f"{prefix}quantity", type_=BigInteger())
    expires_at = bindparam(f"{prefix}expires_at", type_=_reservation_time)

    def grow_held(refs: Refs) -> Update:
        return (
            update(reservations_table)
            .where(reservations_table.c.id == _first_hold(prefix), refs.happened(taken))
            .values(
                quantity=reservations_table.c.quantity + quantity,
                expires_at=later(reservations_table.c.expires_at, expires_at),
            )
            .returning(*reservations_table.c)
        )

    def insert_new(refs: Refs) -> Insert:
        return (
            insert(reservations_table)
            .from_select(
                [
                    "owner_kind",
                    "owner_id",
                    "variant_id",
                    "location_id",
                    "quantity",
                    "expires_at",
                    "created_at",
                ],
                select(
                    bindparam(f"{prefix}owner_kind", type_=String()),
                    bindparam(f"{prefix}owner_id", type_=String()),
                    bindparam(f"{prefix}variant_id", type_=BigInteger()),
                    bindparam(f"{prefix}location_id", type_=BigInteger()),
                    quantity,
                    expires_at,
                    bindparam("now", type_=_reservation_time),
                ).where(
                    and_(refs.happened(taken), ~refs.happened(f"{name}grown"))
                    if grow
                    else refs.happened(taken)
                ),
            )
            .returning(*reservations_table.c)
        )

    key = f"{dialect}:{taken}:{prefix}:{grow}"
    inserted = Step(
        f"{name}inserted",
        insert_new,
        key=f"insert:{key}",
        skip_after=f"{name}grown" if grow else None,
        returns=True,
    )
    if not grow:
        return (inserted,)
    return (Step(f"{name}grown", grow_held, key=f"grow:{key}", returns=True), inserted)


def extend_holds(
    name: str = "extended", *, after: str | None = None, sparing: str | None = None
) -> Step:
    """Push the owner's active reservations (``stock_owner_kind``, ``stock_owner_id``)
    to ``hold_until`` (never earlier).

    ``sparing``: the prefix of a hold step of the same chain whose reservation is left
    to it (one statement may not update a row twice; that step gives it the same
    expiry)."""

    def build(refs: Refs) -> Update:
        hold_until = bindparam("hold_until", type_=_reservation_time)
        conditions = [*_owned(PREFIX), reservations_table.c.expires_at < hold_until]
        if sparing is not None:
            conditions.append(reservations_table.c.id.is_distinct_from(_first_hold(sparing)))
        if after is not None:
            conditions.append(refs.happened(after))
        return (
            update(reservations_table)
            .where(*conditions)
            .values(expires_at=hold_until)
            .returning(reservations_table.c.id)
        )

    return Step(name, build, key=f"extend:{name}:{after}:{sparing}")


@functools.cache
def hand_over(dialect: str) -> Update:
    """The owner's active reservations of some variants become another owner's, with a
    new expiry (a cart's holds becoming its order's allocations): ``from_kind``,
    ``from_id``, ``variant_ids`` (a bound list), ``to_kind``, ``to_id``,
    ``to_expires_at``, ``now``. The stock they reserve stays reserved, so no stock row
    changes. Returns the reservations as they are after."""
    now = bindparam("now", type_=_reservation_time)
    return (
        update(reservations_table)
        .where(
            reservations_table.c.owner_kind == bindparam("from_kind", type_=String()),
            reservations_table.c.owner_id == bindparam("from_id", type_=String()),
            in_bound_list(reservations_table.c.variant_id, "variant_ids", dialect, BigInteger()),
            reservations_table.c.expires_at > now,
        )
        .values(
            owner_kind=bindparam("to_kind", type_=String()),
            owner_id=bindparam("to_id", type_=String()),
            expires_at=bindparam("to_expires_at", type_=_reservation_time),
            created_at=now,
        )
        .returning(*reservations_table.c)
    )


def ship_held_stock() -> Update:
    """Units an owner holds leave the location: ``on_hand`` and ``reserved`` both go
    down by ``stock_quantity`` (fulfilment, issue 14). Guard: the row's reservations
    cover them (``reserved >= quantity``, hence ``on_hand >= quantity``). Returns the
    new ``on_hand``; no row means the guard refused."""
    quantity = bindparam(f"{PREFIX}quantity", type_=BigInteger())
    return (
        update(levels_table)
        .where(
            levels_table.c.variant_id == bindparam(f"{PREFIX}variant_id", type_=BigInteger()),
            levels_table.c.location_id == bindparam(f"{PREFIX}location_id", type_=BigInteger()),
            levels_table.c.reserved >= quantity,
        )
        .values(
            on_hand=levels_table.c.on_hand - quantity,
            reserved=levels_table.c.reserved - quantity,
            version=levels_table.c.version + 1,
            updated_at=bindparam("now", type_=levels_table.c.updated_at.type),
        )
        .returning(levels_table.c.on_hand)
    )


def shrink_hold() -> Update:
    """One reservation (``reservation_id``) gives up ``stock_quantity`` of its units and
    keeps the rest; guard: it keeps at least one (a reservation given up whole is
    deleted instead). ``reserved`` is the caller's to change (``ship_held_stock``, or
    ``core.inventory.levels.subtract_reserved``)."""
    quantity = bindparam(f"{PREFIX}quantity", type_=BigInteger())
    return (
        update(reservations_table)
        .where(
            reservations_table.c.id == bindparam("reservation_id", type_=BigInteger()),
            reservations_table.c.quantity > quantity,
        )
        .values(quantity=reservations_table.c.quantity - quantity)
        .returning(reservations_table.c.id)
    )
