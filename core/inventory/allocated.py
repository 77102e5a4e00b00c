"""Units an owner holds (an order's allocations) leaving a location, or moving to another.

Fulfilment (issue 14) takes shipped units out of on-hand stock and out of the order's
reservations together: ``ship_held``. Rerouting gives the units up at one location and
takes them at others: ``move_held``. Cancelling order lines gives units back:
``release_held``. Both keep the consistency design of
``core.inventory.levels``: the stock rows are locked first, in one statement in
(variant, location) order, and only then are reservations shrunk, deleted or taken,
each through the one statement builder for that step (``core.inventory.steps``:
``ship_held_stock``, ``shrink_hold``, ``take_stock`` and ``hold_steps``). Every on-hand
change is logged with its reason (which names the fulfilment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select, tuple_

from core.errors import DomainError, ErrorCode
from core.ids import LocationId, VariantId
from core.inventory.events import ReservationsReleased, StockChangeCause
from core.inventory.holds import take_and_hold
from core.inventory.levels import (
    StockKey,
    lock_levels,
    record_stock_changed,
    reservations_table,
    subtract_reserved,
)
from core.inventory.model import MovementKind, OwnerKind, Reservation, StockMovement
from core.inventory.movement_log import MovementChange, log_movements
from core.inventory.queries import reservation_from_row
from core.inventory.steps import PREFIX, ship_held_stock, shrink_hold
from core.uow import UnitOfWork


async def held_at(
    uow: UnitOfWork, owner_kind: OwnerKind, owner_id: str, keys: Sequence[StockKey] | None = None
) -> dict[StockKey, int]:
    """Units the owner's active reservations hold per (variant, location), in ``keys``
    (every key when None)."""
    conditions = [
        reservations_table.c.owner_kind == owner_kind.value,
        reservations_table.c.owner_id == owner_id,
        reservations_table.c.expires_at > uow.clock.now(),
    ]
    if keys is not None:
        if not keys:
            return {}
        conditions.append(
            tuple_(reservations_table.c.variant_id, reservations_table.c.location_id).in_(
                sorted(set(keys))
            )
        )
    rows = (await uow.session.execute(select(reservations_table).where(*conditions))).all()
    held: dict[StockKey, int] = defaultdict(int)
    for row in rows:
        held[(VariantId(row.variant_id), LocationId(row.location_id))] += row.quantity
    return dict(held)


async def ship_held(
    uow: UnitOfWork,
    *,
    owner_kind: OwnerKind,
    owner_id: str,
    units: Mapping[StockKey, int],
    reason: str,
    actor: str,
) -> list[StockMovement]:
    """``units`` the owner holds leave their locations: on hand, reserved and the
    owner's reservations all go down by them, logged as ``FULFILMENT`` movements with
    ``reason``. Refuses with ``INSUFFICIENT_STOCK`` (nothing written) when the owner
    holds fewer."""
    keys = sorted(key for key, quantity in units.items() if quantity > 0)
    if not keys:
        return []
    await lock_levels(uow, keys)
    await _give_up(uow, owner_kind, owner_id, {key: units[key] for key in keys})
    now = uow.clock.now()
    changes: list[MovementChange] = []
    for variant_id, location_id in keys:
        quantity = units[(variant_id, location_id)]
        on_hand = (
            await uow.session.execute(
                ship_held_stock(),
                {
                    f"{PREFIX}variant_id": variant_id,
                    f"{PREFIX}location_id": location_id,
                    f"{PREFIX}quantity": quantity,
                    "now": now,
                },
            )
        ).scalar_one_or_none()
        if on_hand is None:  # the reservations were there, so reserved covers them
            raise _short()
        changes.append((variant_id, location_id, MovementKind.FULFILMENT, -quantity, on_hand))
    movements = await log_movements(uow, changes, reason, actor)
    record_stock_changed(uow, keys, StockChangeCause.FULFILLED)
    return movements


async def move_held(
    uow: UnitOfWork,
    *,
    owner_kind: OwnerKind,
    owner_id: str,
    variant_id: VariantId,
    from_location_id: LocationId,
    to: Sequence[tuple[LocationId, int]],
    expires_at: datetime,
) -> tuple[Reservation, ...]:
    """The owner gives up units of a variant it holds at ``from_location_id`` and takes
    as many at the ``to`` locations (location, units): all or nothing. Refuses with
    ``INSUFFICIENT_STOCK`` when it holds fewer there or a target has too few."""
    quantity = sum(units for _, units in to)
    if quantity <= 0:
        return ()
    keys = [(variant_id, from_location_id), *((variant_id, at) for at, _ in to)]
    await lock_levels(uow, keys)
    await _release(uow, owner_kind, owner_id, {keys[0]: quantity})
    taken = tuple(
        [
            await take_and_hold(
                uow, owner_kind, owner_id, variant_id, at, units, expires_at=expires_at
            )
            for at, units in to
            if units > 0
        ]
    )
    record_stock_changed(uow, keys, StockChangeCause.REROUTED)
    return taken


async def release_held(
    uow: UnitOfWork,
    *,
    owner_kind: OwnerKind,
    owner_id: str,
    units: Mapping[StockKey, int],
) -> tuple[Reservation, ...]:
    """The owner gives back ``units`` it holds per (variant, location) (cancelled
    order lines): its reservations shrink or go, reserved stock goes down with them;
    what was given up. Refuses with ``INSUFFICIENT_STOCK`` when it holds fewer."""
    keys = sorted(key for key, quantity in units.items() if quantity > 0)
    if not keys:
        return ()
    await lock_levels(uow, keys)
    released = await _release(uow, owner_kind, owner_id, {key: units[key] for key in keys})
    record_stock_changed(uow, keys, StockChangeCause.RELEASED)
    return released


async def _release(
    uow: UnitOfWork, owner_kind: OwnerKind, owner_id: str, units: Mapping[StockKey, int]
) -> tuple[Reservation, ...]:
    """Give up ``units`` (stock rows locked by the caller) and take them off reserved."""
    released = await _give_up(uow, owner_kind, owner_id, units)
    await subtract_reserved(uow, released)
    uow.record(
        ReservationsReleased(owner_kind=owner_kind, owner_id=owner_id, reservations=released)
    )
    return released


async def _give_up(
    uow: UnitOfWork, owner_kind: OwnerKind, owner_id: str, units: Mapping[StockKey, int]
) -> tuple[Reservation, ...]:
    """Shrink the owner's reservations at each key (oldest first) by ``units`` there,
    deleting those given up whole; what was given up, as reservations of those units.
    ``reserved`` is left to the caller."""
    rows = (
        await uow.session.execute(
            select(reservations_table)
            .where(
                reservations_table.c.owner_kind == owner_kind.value,
                reservations_table.c.owner_id == owner_id,
                reservations_table.c.expires_at > uow.clock.now(),
                tuple_(reservations_table.c.variant_id, reservations_table.c.location_id).in_(
                    sorted(units)
                ),
            )
            .order_by(reservations_table.c.id)
        )
    ).all()
    left = dict(units)
    whole: list[int] = []
    given: list[Reservation] = []
    for row in rows:
        reservation = reservation_from_row(row)
        key = (reservation.variant_id, reservation.location_id)
        take = min(left.get(key, 0), reservation.quantity)
        if take <= 0:
            continue
        left[key] -= take
        if take == reservation.quantity:
            whole.append(reservation.id)
        else:
            shrunk = await uow.session.execute(
                shrink_hold(), {"reservation_id": reservation.id, f"{PREFIX}quantity": take}
            )
            if shrunk.scalar_one_or_none() is None:
                raise _short()
        given.append(
            Reservation(
                id=reservation.id,
                owner_kind=reservation.owner_kind,
                owner_id=reservation.owner_id,
                variant_id=reservation.variant_id,
                location_id=reservation.location_id,
                quantity=take,
                expires_at=reservation.expires_at,
                created_at=reservation.created_at,
            )
        )
    if any(quantity > 0 for quantity in left.values()):
        raise _short()
    if whole:
        await uow.session.execute(
            delete(reservations_table).where(reservations_table.c.id.in_(whole))
        )
    return tuple(given)


def _short() -> DomainError:
    return DomainError.single(
        ErrorCode.INSUFFICIENT_STOCK, "The order does not hold these units there", "lines"
    )
