"""The cart sweeper: expired guest carts go, with the stock they still hold.

Run by ``omnicart carts sweep`` and, with the reservation sweep, periodically by every
server process. A cart expires when nobody changed it for its channel's cart lifetime
(``expires_at``). Expired guest carts (no customer) are deleted with their lines and
the stock they hold is given back; an expired customer's cart is kept (it is part of
their history and ``me.activeCart`` no longer returns it) but its stock is given back.
Idempotency records older than a day are deleted too: a retry comes within minutes.

Safe in many processes at once: each batch locks the cart rows it takes (PostgreSQL
skips rows another sweeper or a request holds) and re-checks their expiry under the
lock, then locks the stock rows in key order, like every cart change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from core.carts.queries import carts_table
from core.carts.tables import CartRequestRow
from core.db import table_of
from core.ids import LocationId, VariantId
from core.inventory.events import ReservationsReleased, StockChangeCause
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

logger = logging.getLogger(__name__)

_requests = table_of(CartRequestRow)

BATCH = 200
MAX_BATCHES = 1000
IDEMPOTENCY_RETENTION = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CartSweep:
    deleted_carts: int = 0
    released_reservations: int = 0
    deleted_requests: int = 0


async def sweep_batch(uow: UnitOfWork, *, now: datetime, limit: int = BATCH) -> CartSweep:
    """One transaction: up to ``limit`` expired carts with stock or without an owner."""
    async with uow:
        session = uow.session
        expired = (
            await session.execute(
                select(carts_table.c.id, carts_table.c.customer_id)
                .where(carts_table.c.expires_at <= now)
                .where(
                    carts_table.c.customer_id.is_(None)
                    | select(reservations_table.c.id)
                    .where(
                        reservations_table.c.owner_kind == OwnerKind.CART.value,
                        reservations_table.c.owner_id
                        == carts_table.c.id.cast(reservations_table.c.owner_id.type),
                    )
                    .exists()
                )
                .order_by(carts_table.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not expired:
            return CartSweep()
        owners = [str(row.id) for row in expired]
        owned = (
            reservations_table.c.owner_kind == OwnerKind.CART.value,
            reservations_table.c.owner_id.in_(owners),
        )
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
        released: tuple[Reservation, ...] = ()
        if keys:
            await lock_levels(uow, keys)
            deleted = (
                await session.execute(
                    reservations_table.delete().where(*owned).returning(*reservations_table.c)
                )
            ).all()
            released = tuple(reservation_from_row(row) for row in deleted)
            await subtract_reserved(uow, released)
            for owner in owners:
                mine = tuple(r for r in released if r.owner_id == owner)
                if mine:
                    uow.record(
                        ReservationsReleased(
                            owner_kind=OwnerKind.CART, owner_id=owner, reservations=mine
                        )
                    )
            record_stock_changed(
                uow, [(r.variant_id, r.location_id) for r in released], StockChangeCause.RELEASED
            )
        guests = [row.id for row in expired if row.customer_id is None]
        if guests:
            await session.execute(delete(carts_table).where(carts_table.c.id.in_(guests)))
        await uow.commit()
    return CartSweep(len(guests), len(released))


async def sweep_carts(new_uow: Callable[[], UnitOfWork], *, now: datetime) -> CartSweep:
    """Sweep until nothing expired at ``now`` is left; then drop old idempotency records."""
    carts = released = 0
    for _ in range(MAX_BATCHES):
        swept = await sweep_batch(new_uow(), now=now)
        if not (swept.deleted_carts or swept.released_reservations):
            break
        carts += swept.deleted_carts
        released += swept.released_reservations
    uow = new_uow()
    async with uow:
        result = await uow.session.execute(
            delete(_requests).where(_requests.c.created_at < now - IDEMPOTENCY_RETENTION)
        )
        requests = int(getattr(result, "rowcount", 0) or 0)
        await uow.commit()
    if carts or released or requests:
        logger.info(
            "carts swept deleted=%d released_reservations=%d idempotency_records=%d",
            carts,
            released,
            requests,
        )
    return CartSweep(carts, released, requests)
