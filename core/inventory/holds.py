"""Stock held by an owner (a cart, or a reservation's owner) inside its own transaction.

``core.inventory.reservations`` offers whole use cases, each its own unit of work, and
a cart change is one transaction of its own (the line, the cart's version and the
stock it holds change together or not at all); both use these building blocks inside
their unit of work. Every take goes through ``take_and_hold`` (the write steps of
``core.inventory.steps``). They keep the consistency design of
``core.inventory.reservations``: the stock rows are locked first, in one statement in
(variant, location) order, expired reservations of the locked rows are released,
and only then are reservations taken (guarded increments) or deleted.

A holder owns at most what its lines ask for: ``held`` is what its active
reservations hold per variant, and a change tops up or gives back the difference.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    update,
)

from core.channels.model import Channel
from core.channels.tables import ChannelLocationRow
from core.db import table_of
from core.db.chain import Chain, GuardFailed
from core.errors import DomainError, ErrorCode
from core.hooks import AvailabilityContext
from core.ids import LocationId, VariantId
from core.inventory import steps
from core.inventory.events import (
    ReservationsReleased,
    StockChangeCause,
    StockReserved,
)
from core.inventory.levels import (
    StockKey,
    record_stock_changed,
    release_expired,
    reservations_table,
    subtract_reserved,
)
from core.inventory.model import OwnerKind, Reservation
from core.inventory.owned_stock import owned_stock
from core.inventory.queries import reservation_from_row
from core.inventory.steps import hold_steps, take_stock
from core.uow import UnitOfWork

logger = logging.getLogger(__name__)

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
    # Where the owner has reservation rows: (active units held, rows, lapsed included).
    held_at: dict[StockKey, tuple[int, int]] = field(default_factory=dict)
    # The instant "active" was judged at (a hand-over takes exactly those reservations).
    read_at: datetime | None = None

    def available(self, variant_id: VariantId) -> int:
        """Units the owner could still add to what it holds."""
        return self.sellable.get(variant_id, 0)

    def holds_exactly(self, wanted: Mapping[StockKey, int]) -> bool:
        """Whether the owner holds ``wanted`` as it is: one active reservation per
        (variant, location) of it with that quantity, and nothing else."""
        return self.held_at.keys() == wanted.keys() and all(
            self.held_at[key] == (quantity, 1) for key, quantity in wanted.items()
        )


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
    now = holder.read_at = uow.clock.now()
    rows = await uow.fetch(
        owned_stock(uow.dialect, elsewhere=include_owned_elsewhere),
        {
            "owner_kind": owner_kind.value,
            "owner_id": owner_id,
            "now": now,
            "channel_id": channel.id,
            "variant_ids": wanted,
        },
    )
    keys: list[StockKey] = [(VariantId(r.variant_id), LocationId(r.location_id)) for r in rows]
    lapsed_keys = [key for row, key in zip(rows, keys, strict=True) if row.lapsed]
    expired = await release_expired(uow, lapsed_keys, now) if lapsed_keys else ()
    expired_by_key: dict[StockKey, int] = defaultdict(int)
    for reservation in expired:
        expired_by_key[(reservation.variant_id, reservation.location_id)] += reservation.quantity
    supply: dict[VariantId, list[tuple[int, LocationId, int]]] = defaultdict(list)
    for row, key in zip(rows, keys, strict=True):
        variant_id, location_id = key
        holder.held[variant_id] = holder.held.get(variant_id, 0) + int(row.held)
        if row.held_rows:
            holder.held_at[key] = (int(row.held), int(row.held_rows))
        if row.priority is not None:
            reserved = row.reserved - expired_by_key.get(key, 0)
            supply[variant_id].append((row.priority, location_id, max(0, row.on_hand - reserved)))
    for variant_id in wanted:
        holder.supply[variant_id] = [
            (location_id, available) for _, location_id, available in sorted(supply[variant_id])
        ]
        holder.held.setdefault(variant_id, 0)
    quantities = {v: sum(q for _, q in holder.supply[v]) for v in wanted}
    if uow.plugins.limits_availability(channel):
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
    grow: bool = True,
) -> tuple[Reservation, ...]:
    """Hold ``quantity`` more units for the owner, from locations in priority order.

    All or nothing; raises ``INSUFFICIENT_STOCK`` (field ``quantity``) when the channel
    cannot sell that many more. ``capped=False`` skips the availability hook's limit
    (for re-holding stock the owner just gave back); ``grow=False`` gives each take a
    reservation of its own instead of growing the owner's (``hold_steps``). Updates
    ``stock`` for later calls.
    """
    if quantity <= 0:
        return ()
    sellable = stock.sellable.get(variant_id, 0)
    if capped and quantity > sellable:
        raise DomainError.single(
            ErrorCode.INSUFFICIENT_STOCK,
            f"Only {sellable} of {quantity} are available in this channel",
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
    reservations = tuple(
        [
            await take_and_hold(
                uow,
                stock.owner_kind,
                stock.owner_id,
                variant_id,
                location_id,
                take,
                expires_at=expires_at,
                grow=grow,
            )
            for location_id, take in plan
        ]
    )
    stock.sellable[variant_id] = max(0, sellable - quantity)
    stock.held[variant_id] = stock.held.get(variant_id, 0) + quantity
    # StockChanged first, as the add made in one statement records it (core.carts.fast_add
    # learns the reservations only from its statement's answer).
    record_stock_changed(
        uow, [(variant_id, location_id) for location_id, _ in plan], StockChangeCause.RESERVED
    )
    uow.record(
        StockReserved(
            owner_kind=stock.owner_kind, owner_id=stock.owner_id, reservations=reservations
        )
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


async def hand_over(
    uow: UnitOfWork,
    stock: HeldStock,
    variant_ids: Sequence[VariantId],
    *,
    to_kind: OwnerKind,
    to_id: str,
    expires_at: datetime,
) -> tuple[Reservation, ...]:
    """The owner's active reservations of ``variant_ids`` become ``to_kind``/``to_id``'s,
    expiring at ``expires_at`` (``core.inventory.steps.hand_over``): the units stay
    reserved where they are, so no stock row and no availability changes."""
    rows = await uow.fetch(
        steps.hand_over(uow.dialect),
        {
            "from_kind": stock.owner_kind.value,
            "from_id": stock.owner_id,
            "variant_ids": sorted(set(variant_ids)),
            "to_kind": to_kind.value,
            "to_id": to_id,
            "to_expires_at": expires_at,
            # The instant the locked rows were read at: the reservations active then are
            # the ones ``held_at`` counted, even if one lapses while this runs.
            "now": stock.read_at or uow.clock.now(),
        },
    )
    return tuple(sorted((reservation_from_row(row) for row in rows), key=lambda r: r.id))


async def take_and_hold(
    uow: UnitOfWork,
    owner_kind: OwnerKind,
    owner_id: str,
    variant_id: VariantId,
    location_id: LocationId,
    quantity: int,
    *,
    expires_at: datetime,
    grow: bool = True,
) -> Reservation:
    """One location's part: the guarded take (``core.inventory.steps.take_stock``) and
    the owner's reservation there grown or inserted (``hold_steps``), in one statement
    on PostgreSQL. Refuses with ``INSUFFICIENT_STOCK`` when the take's guard fails."""
    try:
        written = await uow.run(
            Chain((take_stock(), *hold_steps(uow.dialect, grow=grow))),
            {
                "stock_variant_id": variant_id,
                "stock_location_id": location_id,
                "stock_quantity": quantity,
                "stock_owner_kind": owner_kind.value,
                "stock_owner_id": owner_id,
                "stock_expires_at": expires_at,
                "now": uow.clock.now(),
            },
        )
    except GuardFailed:
        # Planned on locked rows, so this is a bug or a lock that did not hold; refuse.
        logger.warning("reservation guard refused variant=%s location=%s", variant_id, location_id)
        raise DomainError.single(
            ErrorCode.INSUFFICIENT_STOCK, "Not enough stock is available", "quantity"
        ) from None
    held = (written["grown"].first if grow else None) or written["inserted"].first
    return reservation_from_row(held)
