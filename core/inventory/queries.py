"""Inventory reads: stock levels, channel availability, reservations, the movement log.

``stock_levels.reserved`` also counts expired reservations the sweeper has not deleted
yet, so every read here subtracts only active ones: reserved minus the expired rest,
found through ``ix_reservations_stock_expiry`` (a short range: the sweeper keeps it
nearly empty). Expired reservations therefore stop counting the moment they expire.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, cast, func, select

from core.channels.tables import ChannelLocationRow
from core.db import table_of
from core.ids import ChannelId, LocationId, ReservationId, StockMovementId, VariantId
from core.inventory.model import (
    ChannelAvailability,
    LocationAvailability,
    MovementKind,
    OwnerKind,
    Reservation,
    StockLevel,
    StockMovement,
)
from core.inventory.tables import ReservationRow, StockLevelRow, StockMovementRow
from core.reads import ReadConnection

_levels = table_of(StockLevelRow)
_reservations = table_of(ReservationRow)
_movements = table_of(StockMovementRow)
_links = table_of(ChannelLocationRow)


def active_reserved(now: datetime) -> ColumnElement[Any]:
    """``stock_levels.reserved`` less the expired, not yet deleted reservations of the row."""
    expired = (
        select(func.coalesce(func.sum(_reservations.c.quantity), 0))
        .where(
            _reservations.c.variant_id == _levels.c.variant_id,
            _reservations.c.location_id == _levels.c.location_id,
            _reservations.c.expires_at <= now,
        )
        .scalar_subquery()
    )
    # SUM of a BIGINT is NUMERIC on PostgreSQL; quantities are integers.
    return cast(_levels.c.reserved - expired, BigInteger)


async def available_in_channel(
    connection: ReadConnection,
    *,
    channel_id: ChannelId,
    variant_ids: Sequence[VariantId],
    now: datetime,
) -> dict[VariantId, ChannelAvailability]:
    """Per variant: each supplying location (priority order) and its available stock.

    One statement whatever the number of variants; every asked variant is in the
    result, with every supplying location (zero where it has no stock row).
    """
    if not variant_ids:
        return {}
    statement = (
        select(
            _links.c.location_id,
            _links.c.priority,
            _levels.c.variant_id,
            _levels.c.on_hand,
            active_reserved(now).label("reserved"),
        )
        .select_from(
            _links.outerjoin(
                _levels,
                and_(
                    _levels.c.location_id == _links.c.location_id,
                    _levels.c.variant_id.in_(variant_ids),
                ),
            )
        )
        .where(_links.c.channel_id == channel_id)
        .order_by(_links.c.priority, _links.c.location_id)
    )
    rows = (await connection.execute(statement)).all()
    supply: dict[LocationId, int] = {}
    found: dict[tuple[VariantId, LocationId], tuple[int, int]] = {}
    for row in rows:
        location_id = LocationId(row.location_id)
        supply.setdefault(location_id, row.priority)
        if row.variant_id is not None:
            found[(VariantId(row.variant_id), location_id)] = (row.on_hand, row.reserved)
    return {
        variant_id: ChannelAvailability(
            variant_id=variant_id,
            locations=tuple(
                LocationAvailability(
                    location_id=location_id,
                    priority=priority,
                    on_hand=found.get((variant_id, location_id), (0, 0))[0],
                    reserved=found.get((variant_id, location_id), (0, 0))[1],
                )
                for location_id, priority in supply.items()
            ),
        )
        for variant_id in variant_ids
    }


async def stock_levels_by_variant_id(
    connection: ReadConnection, variant_ids: Sequence[VariantId], *, now: datetime
) -> dict[VariantId, list[StockLevel]]:
    """Every location's stock of each variant, counting only active reservations."""
    statement = (
        select(
            _levels.c.variant_id,
            _levels.c.location_id,
            _levels.c.on_hand,
            active_reserved(now).label("reserved"),
        )
        .where(_levels.c.variant_id.in_(variant_ids))
        .order_by(_levels.c.variant_id, _levels.c.location_id)
    )
    result: dict[VariantId, list[StockLevel]] = {variant_id: [] for variant_id in variant_ids}
    for row in (await connection.execute(statement)).all():
        result[VariantId(row.variant_id)].append(
            StockLevel(
                variant_id=VariantId(row.variant_id),
                location_id=LocationId(row.location_id),
                on_hand=row.on_hand,
                reserved=row.reserved,
            )
        )
    return result


def reservation_from_row(row: Any) -> Reservation:
    return Reservation(
        id=ReservationId(row.id),
        owner_kind=OwnerKind(row.owner_kind),
        owner_id=row.owner_id,
        variant_id=VariantId(row.variant_id),
        location_id=LocationId(row.location_id),
        quantity=row.quantity,
        expires_at=row.expires_at,
        created_at=row.created_at,
    )


async def reservations_by_owner(
    connection: ReadConnection, *, owner_kind: OwnerKind, owner_id: str
) -> list[Reservation]:
    """An owner's reservations, expired ones included until they are swept."""
    statement = (
        select(_reservations)
        .where(
            _reservations.c.owner_kind == owner_kind.value,
            _reservations.c.owner_id == owner_id,
        )
        .order_by(_reservations.c.id)
    )
    return [reservation_from_row(row) for row in (await connection.execute(statement)).all()]


async def stock_movements(
    connection: ReadConnection,
    *,
    variant_id: VariantId | None = None,
    location_id: LocationId | None = None,
    limit: int = 50,
) -> list[StockMovement]:
    """The movement log, newest first, optionally for one variant and/or location."""
    statement = select(_movements).order_by(_movements.c.id.desc()).limit(limit)
    if variant_id is not None:
        statement = statement.where(_movements.c.variant_id == variant_id)
    if location_id is not None:
        statement = statement.where(_movements.c.location_id == location_id)
    return [
        StockMovement(
            id=StockMovementId(row.id),
            variant_id=VariantId(row.variant_id),
            location_id=LocationId(row.location_id),
            kind=MovementKind(row.kind),
            delta=row.delta,
            on_hand_after=row.on_hand_after,
            reason=row.reason,
            actor=row.actor,
            created_at=row.created_at,
        )
        for row in (await connection.execute(statement)).all()
    ]
