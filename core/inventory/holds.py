"""Stock held by an owner (a cart) inside the owner's own transaction.

``core.inventory.reservations`` offers whole use cases, each its own unit of work.
A cart change is one transaction of its own (the line, the cart's version and the
stock it holds change together or not at all), so it uses these building blocks
inside its unit of work instead. They keep the consistency design of
``core.inventory.reservations``: the stock rows are locked first, in one statement in
(variant, location) order, expired reservations of the locked rows are released,
and only then are reservations taken (guarded increments) or deleted.

A holder owns at most what its lines ask for: ``held`` is what its active
reservations hold per variant, and a change tops up or gives back the difference.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    String,
    and_,
    bindparam,
    column,
    func,
    select,
    text,
    update,
)

from core.channels.model import Channel
from core.channels.tables import ChannelLocationRow
from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.events.outbox import OUTBOX_BINDS, outbox_items
from core.fastsql import fetch
from core.hooks import AvailabilityContext
from core.ids import ChannelId, LocationId, VariantId
from core.inventory.events import (
    STOCK_TOPIC,
    ReservationsReleased,
    StockChangeCause,
    StockChanged,
    StockReserved,
)
from core.inventory.levels import (
    StockKey,
    _release_expired,
    levels_table,
    record_stock_changed,
    reservations_table,
    subtract_reserved,
)
from core.inventory.model import OwnerKind, Reservation
from core.inventory.queries import reservation_from_row
from core.inventory.reservations import _take, insert_reservation
from core.uow import UnitOfWork

_links = table_of(ChannelLocationRow)


@dataclass(slots=True)
class HeldStock:
    """Locked stock of some variants in a channel, as the owner's transaction sees it.

    ``supply[variant]``: (location, available) in the channel's priority order.
    ``held[variant]``: units the owner's active reservations hold (any location).
    """

    channel: Channel
    owner_kind: OwnerKind
    owner_id: str
    supply: dict[VariantId, list[tuple[LocationId, int]]] = field(default_factory=dict)
    held: dict[VariantId, int] = field(default_factory=dict)
    # What the availability hook lets the channel sell of each variant, beyond holds.
    sellable: dict[VariantId, int] = field(default_factory=dict)

    def available(self, variant_id: VariantId) -> int:
        """Units the owner could still add to what it holds."""
        return self.sellable.get(variant_id, 0)


async def lock_for_owner(
    uow: UnitOfWork,
    channel: Channel,
    owner_kind: OwnerKind,
    owner_id: str,
    variant_ids: Collection[VariantId],
    *,
    include_owned_elsewhere: bool = False,
) -> HeldStock:
    """Lock the channel's stock rows of ``variant_ids`` and see what the owner holds.

    ``include_owned_elsewhere`` also locks rows where the owner holds stock at
    locations that do not supply the channel (needed before giving stock back after a
    cart moved channel, or when the channel's locations changed); it costs a statement.
    """
    holder = HeldStock(channel, owner_kind, owner_id)
    wanted = sorted(set(variant_ids))
    if not wanted:
        return holder
    now = uow.clock.now()
    session = uow.session
    owned = and_(
        reservations_table.c.owner_kind == owner_kind.value,
        reservations_table.c.owner_id == owner_id,
        reservations_table.c.variant_id == levels_table.c.variant_id,
        reservations_table.c.location_id == levels_table.c.location_id,
        reservations_table.c.expires_at > now,
    )
    held_here = (
        select(func.coalesce(func.sum(reservations_table.c.quantity), 0))
        .where(owned)
        .scalar_subquery()
    )
    # Whether the row has expired reservations to release first (usually not: then the
    # DELETE below is skipped); an index range on ix_reservations_stock_expiry.
    lapsed = (
        select(reservations_table.c.id)
        .where(
            reservations_table.c.variant_id == levels_table.c.variant_id,
            reservations_table.c.location_id == levels_table.c.location_id,
            reservations_table.c.expires_at <= now,
        )
        .exists()
    )
    supplied = and_(
        _links.c.channel_id == channel.id, _links.c.location_id == levels_table.c.location_id
    )
    located: ColumnElement[bool] = _links.c.location_id.is_not(None)
    if include_owned_elsewhere:
        owned_here = (
            select(reservations_table.c.id)
            .where(
                reservations_table.c.owner_kind == owner_kind.value,
                reservations_table.c.owner_id == owner_id,
                reservations_table.c.variant_id == levels_table.c.variant_id,
                reservations_table.c.location_id == levels_table.c.location_id,
            )
            .exists()
        )
        located = located | owned_here
    rows = (
        await session.execute(
            select(
                levels_table.c.variant_id,
                levels_table.c.location_id,
                levels_table.c.on_hand,
                levels_table.c.reserved,
                held_here.label("held"),
                lapsed.label("lapsed"),
                _links.c.priority,
            )
            .select_from(levels_table.outerjoin(_links, supplied))
            .where(levels_table.c.variant_id.in_(wanted), located)
            .order_by(levels_table.c.variant_id, levels_table.c.location_id)
            .with_for_update(of=levels_table)
        )
    ).all()
    keys: list[StockKey] = [(VariantId(r.variant_id), LocationId(r.location_id)) for r in rows]
    lapsed_keys = [key for row, key in zip(rows, keys, strict=True) if row.lapsed]
    expired = await _release_expired(uow, lapsed_keys, now) if lapsed_keys else ()
    expired_by_key: dict[StockKey, int] = defaultdict(int)
    for reservation in expired:
        expired_by_key[(reservation.variant_id, reservation.location_id)] += reservation.quantity
    supply: dict[VariantId, list[tuple[int, LocationId, int]]] = defaultdict(list)
    for row, key in zip(rows, keys, strict=True):
        variant_id, location_id = key
        holder.held[variant_id] = holder.held.get(variant_id, 0) + int(row.held)
        if row.priority is not None:
            reserved = row.reserved - expired_by_key.get(key, 0)
            supply[variant_id].append((row.priority, location_id, max(0, row.on_hand - reserved)))
    for variant_id in wanted:
        holder.supply[variant_id] = [
            (location_id, available) for _, location_id, available in sorted(supply[variant_id])
        ]
        holder.held.setdefault(variant_id, 0)
    quantities = {v: sum(q for _, q in holder.supply[v]) for v in wanted}
    if uow.plugins.implements("omnicart_variant_availability", channel):
        holder.sellable = await uow.plugins.available_quantities(
            AvailabilityContext(channel=channel), quantities
        )
    else:
        holder.sellable = quantities
    return holder


async def hold(
    uow: UnitOfWork,
    stock: HeldStock,
    variant_id: VariantId,
    quantity: int,
    *,
    expires_at: datetime,
    capped: bool = True,
) -> tuple[Reservation, ...]:
    """Hold ``quantity`` more units for the owner, from locations in priority order.

    All or nothing; raises ``INSUFFICIENT_STOCK`` (field ``quantity``) when the channel
    cannot sell that many more. ``capped=False`` skips the availability hook's limit
    (for re-holding stock the owner just gave back). Updates ``stock`` for later calls.
    """
    if quantity <= 0:
        return ()
    sellable = stock.sellable.get(variant_id, 0)
    if capped and quantity > sellable:
        raise DomainError.single(
            ErrorCode.INSUFFICIENT_STOCK,
            f"Only {sellable} more can be added in this channel",
            "quantity",
        )
    plan: list[tuple[LocationId, int]] = []
    remaining = quantity
    supply = stock.supply.get(variant_id, [])
    for index, (location_id, available) in enumerate(supply):
        take = min(remaining, available)
        if take > 0:
            plan.append((location_id, take))
            supply[index] = (location_id, available - take)
            remaining -= take
    if remaining > 0:  # the hook let more through than the locations have: a plugin bug
        raise DomainError.single(
            ErrorCode.INSUFFICIENT_STOCK, "Not enough stock is available", "quantity"
        )
    now = uow.clock.now()
    reservations = tuple(
        [
            await _take(
                uow,
                stock.owner_kind,
                stock.owner_id,
                variant_id,
                location_id,
                take,
                now,
                expires_at,
            )
            for location_id, take in plan
        ]
    )
    stock.sellable[variant_id] = max(0, sellable - quantity)
    stock.held[variant_id] = stock.held.get(variant_id, 0) + quantity
    uow.record(
        StockReserved(
            owner_kind=stock.owner_kind, owner_id=stock.owner_id, reservations=reservations
        )
    )
    record_stock_changed(
        uow, [(variant_id, location_id) for location_id, _ in plan], StockChangeCause.RESERVED
    )
    return reservations


async def release(
    uow: UnitOfWork,
    stock: HeldStock,
    variant_ids: Sequence[VariantId],
) -> tuple[Reservation, ...]:
    """Give back everything the owner holds of ``variant_ids`` (rows locked by the caller)."""
    if not variant_ids:
        return ()
    deleted = (
        await uow.session.execute(
            reservations_table.delete()
            .where(
                reservations_table.c.owner_kind == stock.owner_kind.value,
                reservations_table.c.owner_id == stock.owner_id,
                reservations_table.c.variant_id.in_(sorted(set(variant_ids))),
            )
            .returning(*reservations_table.c)
        )
    ).all()
    released = tuple(sorted((reservation_from_row(r) for r in deleted), key=lambda r: r.id))
    await subtract_reserved(uow, released)
    for reservation in released:
        stock.held[reservation.variant_id] = 0
        supply = stock.supply.get(reservation.variant_id, [])
        for index, (location_id, available) in enumerate(supply):
            if location_id == reservation.location_id:
                # Back at a location of the channel: the channel can sell it again.
                supply[index] = (location_id, available + reservation.quantity)
                if reservation.variant_id in stock.sellable:
                    stock.sellable[reservation.variant_id] += reservation.quantity
    if released:
        uow.record(
            ReservationsReleased(
                owner_kind=stock.owner_kind, owner_id=stock.owner_id, reservations=released
            )
        )
        record_stock_changed(
            uow, [(r.variant_id, r.location_id) for r in released], StockChangeCause.RELEASED
        )
    return released


async def set_held(
    uow: UnitOfWork,
    stock: HeldStock,
    variant_id: VariantId,
    quantity: int,
    *,
    expires_at: datetime,
    required: int,
) -> int:
    """Make the owner hold ``quantity`` of the variant, at least ``required`` of it.

    Tops up what is missing (or gives everything back and holds the new amount when it
    holds too much). When the channel cannot give the whole ``quantity``, holds as much
    as it can, refusing with ``INSUFFICIENT_STOCK`` only below ``required``. Returns
    the units now held.
    """
    held = stock.held.get(variant_id, 0)
    if held > quantity:
        # Give it all back and keep what is still wanted: a decrease never fails, even
        # where a safety buffer would not let the channel sell those units again.
        await release(uow, stock, [variant_id])
        keep = min(quantity, sum(available for _, available in stock.supply.get(variant_id, [])))
        await hold(uow, stock, variant_id, keep, expires_at=expires_at, capped=False)
        return keep
    missing = quantity - held
    if missing <= 0:
        return held
    can = stock.available(variant_id)
    take = min(missing, can)
    if held + take < required:
        raise DomainError.single(
            ErrorCode.INSUFFICIENT_STOCK,
            f"Only {held + can} can be held in this channel",
            "quantity",
        )
    await hold(uow, stock, variant_id, take, expires_at=expires_at)
    return held + take


async def extend(
    uow: UnitOfWork, owner_kind: OwnerKind, owner_id: str, *, expires_at: datetime
) -> None:
    """Push the owner's active reservations' expiry to ``expires_at`` (never earlier)."""
    now = uow.clock.now()
    await uow.session.execute(
        update(reservations_table)
        .where(
            reservations_table.c.owner_kind == owner_kind.value,
            reservations_table.c.owner_id == owner_id,
            reservations_table.c.expires_at > now,
            reservations_table.c.expires_at < expires_at,
        )
        .values(expires_at=expires_at)
    )


async def transfer(
    uow: UnitOfWork,
    owner_kind: OwnerKind,
    from_owner_id: str,
    to_owner_id: str,
    variant_ids: Collection[VariantId] | None = None,
) -> int:
    """Hand the active reservations of one owner to another (a merged cart's stock)."""
    now = uow.clock.now()
    conditions = [
        reservations_table.c.owner_kind == owner_kind.value,
        reservations_table.c.owner_id == from_owner_id,
        reservations_table.c.expires_at > now,
    ]
    if variant_ids is not None:
        conditions.append(reservations_table.c.variant_id.in_(sorted(set(variant_ids))))
    result = await uow.session.execute(
        update(reservations_table).where(*conditions).values(owner_id=to_owner_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _quick_take_statement() -> Any:
    variant = bindparam("p_variant_id", type_=BigInteger())
    quantity = bindparam("p_quantity", type_=BigInteger())
    first = (
        select(_links.c.location_id)
        .select_from(
            _links.join(
                levels_table,
                and_(
                    levels_table.c.location_id == _links.c.location_id,
                    levels_table.c.variant_id == variant,
                ),
            )
        )
        .where(
            _links.c.channel_id == bindparam("p_channel_id", type_=BigInteger()),
            levels_table.c.on_hand > levels_table.c.reserved,
        )
        .order_by(_links.c.priority, _links.c.location_id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        update(levels_table)
        .where(
            levels_table.c.variant_id == variant,
            levels_table.c.location_id == first,
            levels_table.c.on_hand - levels_table.c.reserved >= quantity,
        )
        .values(
            reserved=levels_table.c.reserved + quantity,
            version=levels_table.c.version + 1,
            updated_at=bindparam("p_now", type_=levels_table.c.updated_at.type),
        )
        .returning(levels_table.c.location_id)
    )


_QUICK_TAKE = _quick_take_statement()


def _first_hold() -> Any:
    """The owner's oldest active reservation of the variant at the location (the one to grow)."""
    held = reservations_table.alias("held")
    return (
        select(func.min(held.c.id))
        .where(
            held.c.owner_kind == bindparam("p_owner_kind", type_=String()),
            held.c.owner_id == bindparam("p_owner_id", type_=String()),
            held.c.variant_id == bindparam("p_variant_id", type_=BigInteger()),
            held.c.location_id == bindparam("p_location_id", type_=BigInteger()),
            held.c.expires_at > bindparam("p_now", type_=reservations_table.c.expires_at.type),
        )
        .scalar_subquery()
    )


def quick_hold_items(*, only_if: str = "true") -> str:
    """PostgreSQL: the guarded take and the owner's hold, as WITH items (no ``WITH``).

    ``first_location``: the channel's first location (by priority) with any of the
    variant; ``taken``: its stock row, when it alone gives ``:quantity`` and
    ``only_if`` (an SQL condition) holds; ``grown``/``inserted``: the owner's
    active reservation there grown, or a new one. Binds ``QUICK_HOLD_BINDS``. Used
    by ``quick_hold_last`` and by the cart add made in one statement
    (``core.carts.at_once``), so the stock row, which every add of the variant must
    lock, is held only until the commit that ends the statement's transaction.
    """
    return f"""first_location AS (
    SELECT cl.location_id
    FROM channel_locations AS cl
    JOIN stock_levels AS s ON s.location_id = cl.location_id AND s.variant_id = :variant_id
    WHERE cl.channel_id = :channel_id AND s.on_hand > s.reserved
    ORDER BY cl.priority, cl.location_id
    LIMIT 1
), taken AS (
    UPDATE stock_levels
    SET reserved = reserved + :quantity, version = version + 1, updated_at = :now
    WHERE variant_id = :variant_id
      AND location_id = (SELECT location_id FROM first_location)
      AND on_hand - reserved >= :quantity
      AND {only_if}
    RETURNING location_id
), grown AS (
    UPDATE reservations AS r
    SET quantity = r.quantity + :quantity, expires_at = greatest(r.expires_at, :expires_at)
    FROM taken
    WHERE r.id = (
        SELECT min(h.id) FROM reservations AS h
        WHERE h.owner_kind = :owner_kind AND h.owner_id = :owner_id
          AND h.variant_id = :variant_id AND h.location_id = taken.location_id
          AND h.expires_at > :now
    )
    RETURNING r.id, r.owner_kind, r.owner_id, r.variant_id, r.location_id, r.quantity,
              r.expires_at, r.created_at
), inserted AS (
    INSERT INTO reservations
        (owner_kind, owner_id, variant_id, location_id, quantity, expires_at, created_at)
    SELECT :owner_kind, :owner_id, :variant_id, taken.location_id, :quantity, :expires_at, :now
    FROM taken
    WHERE NOT EXISTS (SELECT 1 FROM grown)
    RETURNING id, owner_kind, owner_id, variant_id, location_id, quantity, expires_at,
              created_at
)"""


QUICK_HOLD_BINDS = (
    bindparam("variant_id", type_=BigInteger()),
    bindparam("channel_id", type_=BigInteger()),
    bindparam("quantity", type_=BigInteger()),
    bindparam("owner_kind", type_=String()),
    bindparam("owner_id", type_=String()),
    bindparam("now", type_=DateTime(timezone=True)),
    bindparam("expires_at", type_=DateTime(timezone=True)),
)
RESERVATION_COLUMNS = [column.label(column.name) for column in reservations_table.c]
# An outbox row (core.events.outbox.outbox_items' ``also``) for the StockChanged of a
# take that succeeded, built as StockChanged.payload() would (tests compare the two).
STOCK_CHANGED_ROW = """SELECT :stock_topic, CAST(json_build_array(:variant_id) AS TEXT),
           CAST(json_build_object('variant_id', :variant_id,
                                  'location_ids', json_build_array(taken.location_id),
                                  'cause', :stock_cause) AS TEXT),
           9223372036854775807
    FROM taken"""
STOCK_CHANGED_BINDS = (
    bindparam("stock_topic", value=STOCK_TOPIC, type_=String()),
    bindparam("stock_cause", value=StockChangeCause.RESERVED.value, type_=String()),
)
# The take, and the outbox rows of the transaction's events with it (through
# UnitOfWork.flush_with), plus the StockChanged row when the take succeeded. One row:
# the reservation's columns (all null when nothing was taken) and the count of
# notifications.
_QUICK_HOLD_AND_PUBLISH_PG = (
    text(
        "WITH "
        + quick_hold_items()
        + ", "
        + outbox_items(also=STOCK_CHANGED_ROW)
        + """
SELECT r.*, (SELECT count(*) FROM notified) AS notifications
FROM (SELECT 1) AS one
LEFT JOIN (SELECT * FROM grown UNION ALL SELECT * FROM inserted) AS r ON true
"""
    )
    .bindparams(
        *QUICK_HOLD_BINDS,
        *OUTBOX_BINDS,
        *STOCK_CHANGED_BINDS,
    )
    .columns(*RESERVATION_COLUMNS, column("notifications", BigInteger()))
)


@functools.lru_cache(maxsize=4)
def _grow_statement(dialect: str) -> Any:
    expires_at = bindparam("p_expires_at", type_=reservations_table.c.expires_at.type)
    later = (func.max if dialect == "sqlite" else func.greatest)(
        reservations_table.c.expires_at, expires_at
    )
    return (
        update(reservations_table)
        .where(
            reservations_table.c.owner_kind == bindparam("p_owner_kind", type_=String()),
            reservations_table.c.owner_id == bindparam("p_owner_id", type_=String()),
            reservations_table.c.variant_id == bindparam("p_variant_id", type_=BigInteger()),
            reservations_table.c.location_id == bindparam("p_location_id", type_=BigInteger()),
            reservations_table.c.expires_at
            > bindparam("p_now", type_=reservations_table.c.expires_at.type),
            reservations_table.c.id == _first_hold(),
        )
        .values(
            quantity=reservations_table.c.quantity + bindparam("p_quantity", type_=BigInteger()),
            expires_at=later,
        )
        .returning(*reservations_table.c)
    )


async def quick_hold_last(
    uow: UnitOfWork,
    channel_id: ChannelId,
    owner_kind: OwnerKind,
    owner_id: str,
    variant_id: VariantId,
    quantity: int,
    *,
    expires_at: datetime,
) -> bool:
    """Hold ``quantity`` at the channel's first location that has any of it, when that
    location alone can give it all, as the transaction's last statement before its
    COMMIT (PostgreSQL).

    The take is sent with the unit of work's held writes and its events' outbox rows
    (``UnitOfWork.flush_with``), so the stock row it locks, which every add of a
    popular variant must lock too, is held only until the COMMIT right after, not
    across more round trips. False when nothing was taken: the rest was written all
    the same, and the caller takes the locked path before committing. See
    ``_quick_hold_sqlite`` for what the take does; SQLite runs it as two statements.
    """
    connection = await uow.connection()
    if connection.dialect.name != "postgresql":
        return await _quick_hold_sqlite(
            uow, channel_id, owner_kind, owner_id, variant_id, quantity, expires_at=expires_at
        )
    rows = await uow.flush_with(
        _QUICK_HOLD_AND_PUBLISH_PG,
        {
            "variant_id": variant_id,
            "channel_id": channel_id,
            "quantity": quantity,
            "owner_kind": owner_kind.value,
            "owner_id": owner_id,
            "now": uow.clock.now(),
            "expires_at": expires_at,
        },
    )
    held = quick_hold_events(owner_kind, owner_id, variant_id, rows)
    if held is None:
        return False
    reserved, changed = held
    uow.record(reserved)
    uow.record_written(changed)  # written to the outbox by the statement itself
    return True


def quick_hold_events(
    owner_kind: OwnerKind, owner_id: str, variant_id: VariantId, rows: Sequence[Any]
) -> tuple[StockReserved, StockChanged] | None:
    """The events of a quick hold from its statement's rows (``RESERVATION_COLUMNS``):
    what was reserved, and the StockChanged that ``STOCK_CHANGED_ROW`` wrote to the
    outbox. None when nothing was taken."""
    held = [row for row in rows if row.id is not None]
    if not held:
        return None
    reservations = tuple(reservation_from_row(row) for row in held)
    return (
        StockReserved(owner_kind=owner_kind, owner_id=owner_id, reservations=reservations),
        StockChanged(variant_id, (reservations[0].location_id,), StockChangeCause.RESERVED),
    )


async def _quick_hold_sqlite(
    uow: UnitOfWork,
    channel_id: ChannelId,
    owner_kind: OwnerKind,
    owner_id: str,
    variant_id: VariantId,
    quantity: int,
    *,
    expires_at: datetime,
) -> bool:
    """Hold ``quantity`` at the channel's first location (by priority) that has any of it,
    when that location alone can give it all, in one guarded increment; False otherwise
    (then nothing was done and the caller takes the locked path).

    This draws on locations in the same order as ``hold`` whenever it succeeds: the
    first location with stock covers the whole quantity, so there is nothing to split.
    The guard counts expired, unswept reservations as still reserved, so it can only
    refuse too early, never oversell; the locked path releases them and tries again.
    The owner's reservation at that location grows in place when it has an active one.
    On SQLite: the take, then the hold (PostgreSQL does both in quick_hold_last's
    statement).
    """
    now = uow.clock.now()
    connection = await uow.connection()
    taken_rows = await fetch(
        connection,
        _QUICK_TAKE,
        {
            "p_variant_id": variant_id,
            "p_channel_id": channel_id,
            "p_quantity": quantity,
            "p_now": now,
        },
    )
    if not taken_rows:
        return False
    (taken,) = taken_rows
    location_id = LocationId(taken.location_id)
    grown = await fetch(
        connection,
        _grow_statement(connection.dialect.name),
        {
            "p_owner_kind": owner_kind.value,
            "p_owner_id": owner_id,
            "p_variant_id": variant_id,
            "p_location_id": location_id,
            "p_now": now,
            "p_quantity": quantity,
            "p_expires_at": expires_at,
        },
    )
    if grown:
        reservations = tuple(reservation_from_row(row) for row in grown)
    else:
        reservations = (
            await insert_reservation(
                uow, owner_kind, owner_id, variant_id, location_id, quantity, now, expires_at
            ),
        )
    uow.record(StockReserved(owner_kind=owner_kind, owner_id=owner_id, reservations=reservations))
    record_stock_changed(uow, [(variant_id, location_id)], StockChangeCause.RESERVED)
    return True
