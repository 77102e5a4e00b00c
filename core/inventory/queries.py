"""Inventory reads: stock levels, channel availability, reservations, the movement log.

``stock_levels.reserved`` also counts expired reservations the sweeper has not deleted
yet, so every read here subtracts only active ones: reserved minus the expired rest,
found through ``ix_reservations_stock_expiry`` (a short range: the sweeper keeps it
nearly empty). Expired reservations therefore stop counting the moment they expire.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    select,
)

from core.catalog.tables import VariantRow
from core.channels.tables import ChannelLocationRow
from core.db import UTCDateTime, in_bound_list, table_of
from core.db.reads import ReadConnection, fetch_named, fetch_rows
from core.ids import (
    ChannelId,
    LocationId,
    ProductId,
    ReservationId,
    StockMovementId,
    VariantId,
)
from core.inventory.model import (
    ChannelAvailability,
    LocationAvailability,
    MovementKind,
    OwnerKind,
    Reservation,
    StockLevel,
    StockMovement,
    VariantRef,
)
from core.inventory.tables import ReservationRow, StockLevelRow, StockMovementRow

_levels = table_of(StockLevelRow)
_reservations = table_of(ReservationRow)
_movements = table_of(StockMovementRow)
_links = table_of(ChannelLocationRow)
_variants = table_of(VariantRow)


def active_reserved(now: datetime | ColumnElement[Any]) -> ColumnElement[Any]:
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
    # Reserved counts every reservation row of the stock level, so at zero there is no
    # expired one to look for: most stock is in nobody's cart, and the probe is skipped.
    return case(
        (_levels.c.reserved == 0, _levels.c.reserved),
        # SUM of a BIGINT is NUMERIC on PostgreSQL; quantities are integers.
        else_=cast(_levels.c.reserved - expired, BigInteger),
    )


def levels_supplying_channel() -> FromClause:
    """Stock levels joined to their variants, at the locations supplying the channel
    bound as ``channel_id``: a product's stock in a channel (filters, feed validators)."""
    return _levels.join(_variants, _variants.c.id == _levels.c.variant_id).join(
        _links,
        and_(
            _links.c.location_id == _levels.c.location_id,
            _links.c.channel_id == bindparam("channel_id", type_=BigInteger()),
        ),
    )


def channel_stock(variant_id: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """Units of ``variant_id`` available to sell at the locations supplying a channel.

    ``channel_quantities`` for one variant, as a correlated column: a statement that
    reads variants carries their stock with them, one statement fewer on a listing.
    The channel and the moment that decides which reservations are active are the
    bound parameters ``channel_id`` and ``now``.
    """
    now = bindparam("now", type_=UTCDateTime())
    available = _levels.c.on_hand - active_reserved(now)
    # Per location, never below zero: an over-reservation does not hide another's stock.
    at_least_zero = (
        func.greatest(available, 0) if dialect == "postgresql" else func.max(available, 0)
    )
    summed = (
        select(func.coalesce(func.sum(at_least_zero), 0))
        .select_from(
            _levels.join(
                _links,
                and_(
                    _links.c.location_id == _levels.c.location_id,
                    _links.c.channel_id == bindparam("channel_id", type_=BigInteger()),
                ),
            )
        )
        .where(_levels.c.variant_id == variant_id)
        .scalar_subquery()
    )
    # SUM of a BIGINT is NUMERIC on PostgreSQL; quantities are integers.
    return cast(summed, BigInteger)


@functools.lru_cache(maxsize=4)
def _available_in_channel_statement(dialect: str) -> Select[Any]:
    """Built once per dialect: availability is on the hot path of every listing."""
    now = bindparam("now", type_=UTCDateTime())
    return (
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
                    in_bound_list(_levels.c.variant_id, "variant_ids", dialect, BigInteger()),
                ),
            )
        )
        .where(_links.c.channel_id == bindparam("channel_id", type_=BigInteger()))
        .order_by(_links.c.priority, _links.c.location_id)
    )


async def channel_quantities(
    connection: ReadConnection,
    *,
    channel_id: ChannelId,
    variant_ids: Sequence[VariantId],
    now: datetime,
) -> dict[VariantId, int]:
    """Per variant: available units summed over the channel's supplying locations.

    ``available_in_channel`` without the per-location detail: the same one statement,
    for hot reads (a listing's availability) that only need the sum.
    """
    if not variant_ids:
        return {}
    statement = _available_in_channel_statement(connection.dialect.name)
    parameters = {"channel_id": channel_id, "variant_ids": list(variant_ids), "now": now}
    totals = dict.fromkeys(variant_ids, 0)
    for _location_id, _priority, variant_id, on_hand, reserved in await fetch_rows(
        connection, statement, parameters
    ):
        if variant_id is not None and on_hand > reserved:
            totals[variant_id] += on_hand - reserved
    return totals


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
    statement = _available_in_channel_statement(connection.dialect.name)
    parameters = {"channel_id": channel_id, "variant_ids": list(variant_ids), "now": now}
    rows = await fetch_rows(connection, statement, parameters)
    supply: dict[LocationId, int] = {}
    found: dict[tuple[VariantId, LocationId], tuple[int, int]] = {}
    for location_id, priority, variant_id, on_hand, reserved in rows:
        supply.setdefault(location_id, priority)
        if variant_id is not None:
            found[(variant_id, location_id)] = (on_hand, reserved)
    missing = (0, 0)
    return {
        variant_id: ChannelAvailability(
            variant_id=variant_id,
            locations=tuple(
                [
                    LocationAvailability(
                        location_id, priority, *found.get((variant_id, location_id), missing)
                    )
                    for location_id, priority in supply.items()
                ]
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
    rows = await fetch_named(
        connection, _by_owner(), {"owner_kind": owner_kind.value, "owner_id": owner_id}
    )
    return [reservation_from_row(row) for row in rows]


@functools.cache
def _by_owner() -> Select[Any]:
    return (
        select(_reservations)
        .where(
            _reservations.c.owner_kind == bindparam("owner_kind", type_=String()),
            _reservations.c.owner_id == bindparam("owner_id", type_=String()),
        )
        .order_by(_reservations.c.id)
    )


async def stock_movements(
    connection: ReadConnection,
    *,
    variant_id: VariantId | None = None,
    location_id: LocationId | None = None,
    limit: int = 50,
    before_id: StockMovementId | None = None,
) -> list[StockMovement]:
    """The movement log, newest first, optionally for one variant and/or location.

    Keyset paging: ``before_id`` (the last id of the previous page) continues with the
    movements older than it. Ids only grow, so a page never repeats or skips an entry
    whatever is written meanwhile (``ix_stock_movements_*`` end in ``id``).
    """
    statement = select(_movements).order_by(_movements.c.id.desc()).limit(limit)
    if variant_id is not None:
        statement = statement.where(_movements.c.variant_id == variant_id)
    if location_id is not None:
        statement = statement.where(_movements.c.location_id == location_id)
    if before_id is not None:
        statement = statement.where(_movements.c.id < before_id)
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


async def variant_refs_by_id(
    connection: ReadConnection, variant_ids: Sequence[VariantId]
) -> dict[VariantId, VariantRef]:
    """SKU and name of variants, listed in any channel or none (for staff views)."""
    if not variant_ids:
        return {}
    found = await _variant_refs(connection, _variants.c.id.in_(sorted(set(variant_ids))))
    return {ref.id: ref for ref in found}


async def variant_refs_by_sku(
    connection: ReadConnection, skus: Sequence[str]
) -> dict[str, VariantRef]:
    """Variants by SKU (SKUs are unique), listed in any channel or none; an unknown SKU
    is left out (a marketplace's order names its lines by SKU, issue 15)."""
    if not skus:
        return {}
    found = await _variant_refs(connection, _variants.c.sku.in_(sorted(set(skus))))
    return {ref.sku: ref for ref in found}


async def _variant_refs(connection: ReadConnection, where: Any) -> list[VariantRef]:
    statement = select(
        _variants.c.id, _variants.c.product_id, _variants.c.sku, _variants.c.name
    ).where(where)
    return [
        VariantRef(
            id=VariantId(row.id), product_id=ProductId(row.product_id), sku=row.sku, name=row.name
        )
        for row in (await connection.execute(statement)).all()
    ]


async def next_expiry(connection: ReadConnection) -> datetime | None:
    """When the next reservation expires (or expired, unswept); None without reservations."""
    statement = select(func.min(_reservations.c.expires_at))
    expires_at: datetime | None = (await connection.execute(statement)).scalar_one()
    return expires_at
