"""Reservations for a channel: taking, releasing and expiring them.

Consistency design (issue 4)
----------------------------
``stock_levels.reserved`` is a denormalised counter: the sum of the row's
reservations, changed in the same transaction as every reservation insert or delete,
and kept within ``0 <= reserved <= on_hand`` by CHECK constraints.

- Taking stock is one guarded statement per location: ``UPDATE stock_levels SET
  reserved = reserved + :q WHERE ... AND on_hand - reserved >= :q RETURNING ...``;
  no row back means the guard failed and the request is refused. A sale
  (``on_hand - :q`` under the same guard), a negative adjustment
  (``on_hand + :d >= reserved``) and a transfer out are guarded the same way. The
  race this prevents: two requests that both read "1 left" and both take it. With
  the guard in the UPDATE, the second one's condition is evaluated on the row the
  first one committed (PostgreSQL re-checks the WHERE after waiting for the row lock;
  SQLite serialises writers with ``BEGIN IMMEDIATE``), so it takes nothing.
- Rows are locked first, in (variant, location) order (``core.inventory.levels``),
  so that a reservation splitting across several locations in its channel's
  priority order cannot deadlock with one going the other way, nor with the sweeper.
  The split is planned on the locked rows and all or nothing: a channel that cannot
  cover the whole quantity reserves nothing (the transaction rolls back).
- Expiry: an expired reservation still sits in ``reserved`` until it is deleted. It
  stops counting at once anyway: reads subtract the expired, unswept reservations
  of each row (``core.inventory.queries.active_reserved``, an indexed range that
  the sweeper keeps short), and every write first deletes the expired reservations
  of the rows it locked and takes them off the counter, in its own transaction.
  ``expire_reservations`` (the sweeper) does the same for all rows with expired
  reservations. Deleting a reservation row and decrementing its counter happen in
  one transaction under the row's lock, so a reservation is released exactly once,
  whoever gets there first (a concurrent sweep deletes nothing and subtracts nothing).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_

from core.channels import queries as channel_queries
from core.channels.tables import ChannelLocationRow, ChannelRow
from core.db import table_of
from core.errors import DomainError, ErrorCode, Problem
from core.ids import ChannelId, LocationId, VariantId
from core.inventory import holds
from core.inventory.events import ReservationsReleased, StockChangeCause
from core.inventory.input_checks import (
    OWNER_ID_MAX_LENGTH,
    quantity_problems,
    reference_problems,
)
from core.inventory.levels import (
    StockKey,
    lock_levels,
    record_stock_changed,
    reservations_table,
    subtract_reserved,
)
from core.inventory.model import OwnerKind, Reservation
from core.inventory.queries import reservation_from_row
from core.uow import UnitOfWork
from core.validation import text_problems

logger = logging.getLogger(__name__)

_channels = table_of(ChannelRow)
_links = table_of(ChannelLocationRow)

# A reservation longer than a month is a mistake, not a hold.
MAX_TTL_SECONDS = 31 * 24 * 3600
SWEEP_BATCH = 500


async def reserve_for_channel(
    uow: UnitOfWork,
    *,
    channel_id: ChannelId,
    owner_kind: OwnerKind,
    owner_id: str,
    variant_id: VariantId,
    quantity: int,
    ttl_seconds: int,
) -> tuple[Reservation, ...]:
    """Reserve ``quantity`` from the channel's locations in priority order, splitting,
    as a cart's hold does (``core.inventory.holds``: the same locks, plan and steps).

    All or nothing: while the channel's locations together have the quantity (less
    what its availability plugins hold back), it is reserved (3 at the first and 2 at
    the second for 5 when the first has 3); when they do not, nothing is.

    Raises ``DomainError``: ``INVALID_QUANTITY``, ``INVALID`` (ttl, owner id),
    ``REQUIRED``, ``UNKNOWN_CHANNEL``, ``UNKNOWN_VARIANT``, ``INSUFFICIENT_STOCK``.
    """
    async with uow:
        session = uow.session
        problems = [
            *quantity_problems(quantity, field="quantity"),
            *text_problems(owner_id, field="owner_id", max_length=OWNER_ID_MAX_LENGTH),
            *await reference_problems(session, variant_id, []),
        ]
        if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
            problems.append(
                Problem(
                    ErrorCode.INVALID,
                    f"A reservation lasts between 1 and {MAX_TTL_SECONDS} seconds",
                    "ttl_seconds",
                )
            )
        channels = await channel_queries.channels_by_id(await uow.connection(), [channel_id])
        channel = channels.get(channel_id)
        if channel is None:
            problems.append(
                Problem(ErrorCode.UNKNOWN_CHANNEL, "There is no such channel", "channel_id")
            )
        if problems:
            raise DomainError(problems)
        assert channel is not None
        stock = await holds.lock_for_owner(uow, channel, owner_kind, owner_id, [variant_id])
        expires_at = uow.clock.now() + timedelta(seconds=ttl_seconds)
        reservations = await holds.hold(
            uow, stock, variant_id, quantity, expires_at=expires_at, grow=False
        )
        await uow.commit()
    return reservations


async def release_reservations(
    uow: UnitOfWork,
    *,
    owner_kind: OwnerKind,
    owner_id: str,
    variant_id: VariantId | None = None,
) -> tuple[Reservation, ...]:
    """Delete an owner's reservations (of one variant, or all); returns what was released.

    Expired reservations of the owner are released too. Releasing nothing is not an
    error (a second release after a retry is harmless).
    """
    async with uow:
        session = uow.session
        owned = [
            reservations_table.c.owner_kind == owner_kind.value,
            reservations_table.c.owner_id == owner_id,
        ]
        if variant_id is not None:
            owned.append(reservations_table.c.variant_id == variant_id)
        keys: list[StockKey] = [
            (VariantId(row.variant_id), LocationId(row.location_id))
            for row in (
                await session.execute(
                    select(reservations_table.c.variant_id, reservations_table.c.location_id)
                    .where(*owned)
                    .distinct()
                )
            ).all()
        ]
        if not keys:
            return ()
        # Lock first (see core.inventory.levels), then delete only under the locks held.
        await lock_levels(uow, keys)
        deleted = (
            await session.execute(
                reservations_table.delete()
                .where(
                    *owned,
                    tuple_(reservations_table.c.variant_id, reservations_table.c.location_id).in_(
                        keys
                    ),
                )
                .returning(*reservations_table.c)
            )
        ).all()
        released = tuple(sorted((reservation_from_row(row) for row in deleted), key=_by_id))
        await subtract_reserved(uow, released)
        if released:
            uow.record(
                ReservationsReleased(
                    owner_kind=owner_kind, owner_id=owner_id, reservations=released
                )
            )
            record_stock_changed(
                uow, [(r.variant_id, r.location_id) for r in released], StockChangeCause.RELEASED
            )
        await uow.commit()
    return released


async def expire_reservations(
    uow: UnitOfWork, *, now: datetime | None = None, limit: int = SWEEP_BATCH
) -> tuple[Reservation, ...]:
    """The sweeper: delete reservations expired at ``now`` (the clock's by default).

    Handles up to ``limit`` stock levels per call; call again until it returns nothing.
    Records ``ReservationsExpired`` and ``StockChanged`` for what it released.
    """
    async with uow:
        at = now or uow.clock.now()
        keys: list[StockKey] = [
            (VariantId(row.variant_id), LocationId(row.location_id))
            for row in (
                await uow.session.execute(
                    select(reservations_table.c.variant_id, reservations_table.c.location_id)
                    .where(reservations_table.c.expires_at <= at)
                    .distinct()
                    .order_by(reservations_table.c.variant_id, reservations_table.c.location_id)
                    .limit(limit)
                )
            ).all()
        ]
        if not keys:
            return ()
        locked = await lock_levels(uow, keys, expired_at=at)
        await uow.commit()
    if locked.expired:
        logger.info("reservations expired count=%d", len(locked.expired))
    return locked.expired


def _by_id(reservation: Reservation) -> int:
    return reservation.id
