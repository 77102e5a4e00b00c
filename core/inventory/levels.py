"""Locking stock levels and releasing expired reservations: shared by every inventory write.

Lock order. Every write that touches stock levels first locks the rows it needs
(``SELECT ... FOR UPDATE``) in one statement, ordered by (variant_id, location_id),
and only then deletes or inserts reservations of those rows. Every transaction thus
takes row locks in one global order, so two writers can wait for each other but
never deadlock: a channel reserving from its warehouse before a store and another
channel reserving from the store before the warehouse lock both rows up front, in
the same order, and only then take from them in their own priority order.

On SQLite ``FOR UPDATE`` renders as nothing: units of work run under
``BEGIN IMMEDIATE`` (``core.db``), so writers are serialised by the database lock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.ids import LocationId, VariantId
from core.inventory.events import ReservationsExpired, StockChangeCause, StockChanged
from core.inventory.model import Reservation, StockLevel
from core.inventory.queries import reservation_from_row
from core.inventory.tables import ReservationRow, StockLevelRow
from core.uow import UnitOfWork

levels_table = table_of(StockLevelRow)
reservations_table = table_of(ReservationRow)

StockKey = tuple[VariantId, LocationId]


@dataclass(frozen=True, slots=True)
class LockedLevels:
    """Stock rows locked for the rest of the transaction, expired reservations released."""

    levels: dict[StockKey, StockLevel]
    expired: tuple[Reservation, ...]

    def get(self, variant_id: VariantId, location_id: LocationId) -> StockLevel:
        """The level, or an empty one where the row does not exist."""
        return self.levels.get((variant_id, location_id), StockLevel(variant_id, location_id, 0, 0))


async def lock_levels(
    uow: UnitOfWork,
    keys: Sequence[StockKey],
    *,
    create: bool = False,
    expired_at: datetime | None = None,
) -> LockedLevels:
    """Lock the stock rows of ``keys`` and release their expired reservations.

    ``create`` first inserts missing rows (zero stock), so that they are locked too.
    Reservations expire at ``expired_at`` (the clock's now by default).
    After this, ``reserved`` of every locked row counts only active reservations, and
    no other transaction can change the rows until this one ends.
    """
    ordered = sorted(set(keys))
    if not ordered:
        return LockedLevels({}, ())
    session = uow.session
    now = uow.clock.now()
    if create:
        await _insert_missing(uow, ordered, now)
    statement = (
        select(
            levels_table.c.variant_id,
            levels_table.c.location_id,
            levels_table.c.on_hand,
            levels_table.c.reserved,
        )
        .where(tuple_(levels_table.c.variant_id, levels_table.c.location_id).in_(ordered))
        .order_by(levels_table.c.variant_id, levels_table.c.location_id)
        .with_for_update()
    )
    levels = {
        (VariantId(row.variant_id), LocationId(row.location_id)): StockLevel(
            VariantId(row.variant_id), LocationId(row.location_id), row.on_hand, row.reserved
        )
        for row in (await session.execute(statement)).all()
    }
    expired = await release_expired(uow, list(levels), expired_at or now)
    for reservation in expired:
        key = (reservation.variant_id, reservation.location_id)
        level = levels[key]
        levels[key] = StockLevel(
            level.variant_id,
            level.location_id,
            level.on_hand,
            level.reserved - reservation.quantity,
        )
    return LockedLevels(levels, expired)


async def _insert_missing(uow: UnitOfWork, keys: Sequence[StockKey], now: datetime) -> None:
    rows = [
        {
            "variant_id": variant_id,
            "location_id": location_id,
            "on_hand": 0,
            "reserved": 0,
            "version": 0,
            "updated_at": now,
        }
        for variant_id, location_id in keys
    ]
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(postgresql.insert(levels_table).values(rows).on_conflict_do_nothing())
    else:
        await session.execute(sqlite.insert(levels_table).values(rows).on_conflict_do_nothing())


async def release_expired(
    uow: UnitOfWork, keys: Sequence[StockKey], now: datetime
) -> tuple[Reservation, ...]:
    """Delete the expired reservations of locked rows and take them off ``reserved``."""
    if not keys:
        return ()
    statement = (
        delete(reservations_table)
        .where(
            tuple_(reservations_table.c.variant_id, reservations_table.c.location_id).in_(keys),
            reservations_table.c.expires_at <= now,
        )
        .returning(*reservations_table.c)
    )
    expired = tuple(
        sorted(
            (reservation_from_row(row) for row in (await uow.session.execute(statement)).all()),
            key=lambda reservation: reservation.id,
        )
    )
    await subtract_reserved(uow, expired)
    if expired:
        uow.record(ReservationsExpired(reservations=expired))
        record_stock_changed(
            uow, [(r.variant_id, r.location_id) for r in expired], StockChangeCause.EXPIRED
        )
    return expired


async def subtract_reserved(uow: UnitOfWork, reservations: Sequence[Reservation]) -> None:
    """Take deleted reservations off their (locked) rows' ``reserved`` counters."""
    totals: dict[StockKey, int] = defaultdict(int)
    for reservation in reservations:
        totals[(reservation.variant_id, reservation.location_id)] += reservation.quantity
    if not totals:
        return
    statement = (
        update(levels_table)
        .where(
            levels_table.c.variant_id == bindparam("key_variant_id"),
            levels_table.c.location_id == bindparam("key_location_id"),
        )
        .values(
            reserved=levels_table.c.reserved - bindparam("quantity"),
            version=levels_table.c.version + 1,
            updated_at=bindparam("now"),
        )
    )
    now = uow.clock.now()
    connection = await uow.session.connection()
    await connection.execute(
        statement,
        [
            {
                "key_variant_id": variant_id,
                "key_location_id": location_id,
                "quantity": q,
                "now": now,
            }
            for (variant_id, location_id), q in sorted(totals.items())
        ],
    )


def record_stock_changed(
    uow: UnitOfWork, keys: Sequence[StockKey], cause: StockChangeCause
) -> None:
    """One ``StockChanged`` per variant, naming the locations whose stock changed."""
    by_variant: dict[VariantId, set[LocationId]] = defaultdict(set)
    for variant_id, location_id in keys:
        by_variant[variant_id].add(location_id)
    for variant_id in sorted(by_variant):
        uow.record(
            StockChanged(
                variant_id=variant_id,
                location_ids=tuple(sorted(by_variant[variant_id])),
                cause=cause,
            )
        )


async def change_on_hand(
    uow: UnitOfWork,
    variant_id: VariantId,
    location_id: LocationId,
    *,
    new_on_hand: Any,
    guard: Any,
) -> int:
    """Change on-hand stock of a locked row only where ``guard`` holds; the new on hand,
    or ``INSUFFICIENT_STOCK``. The one statement by which staff counts, adjustments,
    sales, transfers and received returns move on hand (``core.inventory.returned``)."""
    statement = (
        update(levels_table)
        .where(
            levels_table.c.variant_id == variant_id,
            levels_table.c.location_id == location_id,
            guard,
        )
        .values(
            on_hand=new_on_hand,
            version=levels_table.c.version + 1,
            updated_at=uow.clock.now(),
        )
        .returning(levels_table.c.on_hand)
    )
    on_hand = (await uow.session.execute(statement)).scalar_one_or_none()
    if on_hand is None:
        # The rows are locked, so the check before this should have refused already.
        raise DomainError.single(
            ErrorCode.INSUFFICIENT_STOCK, "Not enough stock at this location", "quantity"
        )
    return int(on_hand)
