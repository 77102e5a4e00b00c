"""An order's allocations: the cart's holds given back and the planned units taken for
the order, inside the checkout's transaction.

The stock rows of the cart's variants are locked first, in one statement in (variant,
location) order (``core.inventory.holds.lock_for_owner``, with the rows where the cart
holds stock outside the channel too). Usually the cart holds exactly what the plan
takes, where it takes it (both follow the channel's locations by priority): then the
cart's reservations simply become the order's (``holds.hand_over``, one statement;
the units stay reserved, so no stock row and no availability changes). Otherwise the
cart's reservations are released and each planned (variant, location) quantity is
taken for the order through the same guarded write steps every hold uses
(``holds.take_and_hold``). Holds that lapsed are simply taken again; when the units
are gone the take's guard refuses and checkout fails with ``INSUFFICIENT_STOCK``,
having written nothing (the transaction rolls back).

Allocations are reservations owned by the order (``OwnerKind.ORDER``) that do not
expire: fulfilment takes them out of on hand, cancellation releases them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from core.carts.model import Cart
from core.channels.model import Channel
from core.errors import DomainError, ErrorCode, Problem
from core.ids import LocationId, OrderId, VariantId
from core.inventory import holds
from core.inventory.events import StockChangeCause, StockReserved
from core.inventory.levels import StockKey, record_stock_changed
from core.inventory.model import OwnerKind, Reservation
from core.uow import UnitOfWork

logger = logging.getLogger(__name__)

# Allocations last until fulfilled or released.
NEVER: Final = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of a variant the order needs from one location; ``field`` names the input
    (the cart line) a shortage is reported on."""

    variant_id: VariantId
    location_id: LocationId
    quantity: int
    field: str


async def allocate(
    uow: UnitOfWork,
    channel: Channel,
    cart: Cart,
    order_id: OrderId,
    allocations: Sequence[Allocation],
    *,
    reuse_holds: bool = True,
) -> tuple[Reservation, ...]:
    """Release ``cart``'s holds and take ``allocations`` for the order (see the module
    docstring). Raises ``INSUFFICIENT_STOCK`` naming each short line.

    ``reuse_holds=False`` always releases and takes (a test holds the hand-over to it).
    """
    variant_ids = sorted({line.variant_id for line in cart.lines})
    stock = await holds.lock_for_owner(
        uow, channel, OwnerKind.CART, str(cart.id), variant_ids, include_owned_elsewhere=True
    )
    wanted, fields = _wanted(allocations)
    if reuse_holds and stock.holds_exactly(wanted):
        # The usual case: the cart holds what the plan takes, where it takes it.
        handed = await holds.hand_over(
            uow, stock, variant_ids, to_kind=OwnerKind.ORDER, to_id=str(order_id), expires_at=NEVER
        )
        got: dict[tuple[VariantId, LocationId], int] = defaultdict(int)
        for reservation in handed:
            got[(reservation.variant_id, reservation.location_id)] += reservation.quantity
        if got != wanted:
            # Read under the same locks a moment ago: a bug, or a lock that did not hold.
            logger.warning("hand-over took %s, not the plan %s", dict(got), dict(wanted))
            raise DomainError.single(
                ErrorCode.INSUFFICIENT_STOCK, "Not enough stock is available", "lines.0"
            )
        _reserved(uow, order_id, handed)
        return handed
    await holds.release(uow, stock, variant_ids)
    return await _take(uow, stock, order_id, wanted, fields)


async def allocate_without_cart(
    uow: UnitOfWork, channel: Channel, order_id: OrderId, allocations: Sequence[Allocation]
) -> tuple[Reservation, ...]:
    """Take ``allocations`` for a new order that no cart held stock for (a till sale):
    the same locks and guarded takes as ``allocate``. Raises ``INSUFFICIENT_STOCK``."""
    variant_ids = sorted({allocation.variant_id for allocation in allocations})
    stock = await holds.lock_for_owner(
        uow, channel, OwnerKind.ORDER, str(order_id), variant_ids, include_owned_elsewhere=True
    )
    wanted, fields = _wanted(allocations)
    return await _take(uow, stock, order_id, wanted, fields)


def _wanted(
    allocations: Sequence[Allocation],
) -> tuple[dict[StockKey, int], dict[StockKey, list[str]]]:
    """Units wanted per (variant, location), and the input fields that want them."""
    wanted: dict[StockKey, int] = defaultdict(int)
    fields: dict[StockKey, list[str]] = defaultdict(list)
    for allocation in allocations:
        key = (allocation.variant_id, allocation.location_id)
        wanted[key] += allocation.quantity
        fields[key].append(allocation.field)
    return wanted, fields


async def _take(
    uow: UnitOfWork,
    stock: holds.HeldStock,
    order_id: OrderId,
    wanted: dict[StockKey, int],
    fields: dict[StockKey, list[str]],
) -> tuple[Reservation, ...]:
    """Take each planned (variant, location) quantity for the order (locked ``stock``)."""
    available = {
        (variant_id, location_id): units
        for variant_id, supply in stock.supply.items()
        for location_id, units in supply
    }
    per_variant: dict[VariantId, int] = defaultdict(int)
    for (variant_id, _), quantity in wanted.items():
        per_variant[variant_id] += quantity
    problems = [
        Problem(
            ErrorCode.INSUFFICIENT_STOCK,
            f"Only {available.get(key, 0)} of {quantity} are available at the planned location",
            fields[key][0],
        )
        for key, quantity in sorted(wanted.items())
        if quantity > available.get(key, 0)
    ]
    problems += [
        Problem(
            ErrorCode.INSUFFICIENT_STOCK,
            f"Only {stock.available(variant_id)} of {quantity} can be sold in this channel",
            next(f for (v, _), f in fields.items() if v == variant_id)[0],
        )
        for variant_id, quantity in sorted(per_variant.items())
        if quantity > stock.available(variant_id)
    ]
    if problems:
        raise DomainError(problems)
    taken: list[Reservation] = []
    for (variant_id, location_id), quantity in sorted(wanted.items()):
        try:
            reservation = await holds.take_and_hold(
                uow,
                OwnerKind.ORDER,
                str(order_id),
                variant_id,
                location_id,
                quantity,
                expires_at=NEVER,
            )
        except DomainError:
            raise DomainError.single(
                ErrorCode.INSUFFICIENT_STOCK,
                "Not enough stock is available",
                fields[(variant_id, location_id)][0],
            ) from None
        taken.append(reservation)
    record_stock_changed(uow, sorted(wanted), StockChangeCause.RESERVED)
    _reserved(uow, order_id, tuple(taken))
    return tuple(taken)


def _reserved(uow: UnitOfWork, order_id: OrderId, taken: tuple[Reservation, ...]) -> None:
    uow.record(
        StockReserved(owner_kind=OwnerKind.ORDER, owner_id=str(order_id), reservations=taken)
    )


async def release_allocations(
    uow: UnitOfWork, channel: Channel, order_id: OrderId, variant_ids: Sequence[VariantId]
) -> tuple[Reservation, ...]:
    """Give back every unit the order holds of ``variant_ids`` (cancellation)."""
    stock = await holds.lock_for_owner(
        uow, channel, OwnerKind.ORDER, str(order_id), variant_ids, include_owned_elsewhere=True
    )
    return await holds.release(uow, stock, sorted(set(variant_ids)))
