"""On-hand stock use cases: counts, adjustments, point-of-sale sales and transfers.

Each change is one guarded statement per stock level (``on_hand - :q`` only where
``on_hand - reserved >= :q``; ``on_hand + :d`` only where that stays at or above
``reserved``) on rows locked first in (variant, location) order, and is written to
the stock movement log in the same transaction. ``core.inventory.reservations``
describes the whole consistency design.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, true, update

from core.db import table_of
from core.errors import DomainError, ErrorCode, Problem
from core.ids import LocationId, StockMovementId, VariantId
from core.inventory.events import StockChangeCause
from core.inventory.input_checks import (
    audit_problems,
    delta_problems,
    quantity_problems,
    reference_problems,
)
from core.inventory.levels import levels_table, lock_levels, record_stock_changed
from core.inventory.model import MovementKind, StockMovement
from core.inventory.tables import StockMovementRow
from core.uow import UnitOfWork

_movements = table_of(StockMovementRow)

SALE_REASON = "Point-of-sale sale"


async def set_stock(
    uow: UnitOfWork,
    *,
    variant_id: VariantId,
    location_id: LocationId,
    quantity: int,
    reason: str,
    actor: str,
) -> StockMovement:
    """Set on-hand stock at a location (a count); never below what is reserved there.

    Raises ``DomainError``: ``INVALID_QUANTITY``, ``REQUIRED``, ``INVALID``,
    ``UNKNOWN_VARIANT``, ``UNKNOWN_LOCATION``, ``INSUFFICIENT_STOCK`` (below reserved).
    """
    async with uow:
        problems = [
            *quantity_problems(quantity, field="quantity", allow_zero=True),
            *audit_problems(reason, actor),
            *await reference_problems(uow.session, variant_id, [("location_id", location_id)]),
        ]
        if problems:
            raise DomainError(problems)
        locked = await lock_levels(uow, [(variant_id, location_id)], create=True)
        level = locked.get(variant_id, location_id)
        if quantity < level.reserved:
            raise DomainError.single(
                ErrorCode.INSUFFICIENT_STOCK,
                f"{level.reserved} units are reserved at this location; "
                "stock cannot be set below that",
                "quantity",
            )
        on_hand = await _guarded_on_hand(
            uow,
            variant_id,
            location_id,
            new_on_hand=quantity,
            guard=levels_table.c.reserved <= quantity,
        )
        movement = await _log(
            uow,
            variant_id,
            location_id,
            MovementKind.SET,
            quantity - level.on_hand,
            on_hand,
            reason,
            actor,
        )
        record_stock_changed(uow, [(variant_id, location_id)], StockChangeCause.SET)
        await uow.commit()
    return movement


async def adjust_stock(
    uow: UnitOfWork,
    *,
    variant_id: VariantId,
    location_id: LocationId,
    delta: int,
    reason: str,
    actor: str,
) -> StockMovement:
    """Add to (or, negative, take from) on-hand stock; never below what is reserved.

    Raises ``DomainError``: ``INVALID_QUANTITY`` (zero or out of range), ``REQUIRED``,
    ``INVALID``, ``UNKNOWN_VARIANT``, ``UNKNOWN_LOCATION``, ``INSUFFICIENT_STOCK``.
    """
    async with uow:
        problems = [
            *delta_problems(delta),
            *audit_problems(reason, actor),
            *await reference_problems(uow.session, variant_id, [("location_id", location_id)]),
        ]
        if problems:
            raise DomainError(problems)
        locked = await lock_levels(uow, [(variant_id, location_id)], create=True)
        level = locked.get(variant_id, location_id)
        if level.on_hand + delta < level.reserved:
            raise DomainError.single(
                ErrorCode.INSUFFICIENT_STOCK,
                f"Only {level.available} units are on hand and not reserved at this location",
                "delta",
            )
        on_hand = await _guarded_on_hand(
            uow,
            variant_id,
            location_id,
            new_on_hand=levels_table.c.on_hand + delta,
            guard=levels_table.c.on_hand + delta >= levels_table.c.reserved,
        )
        movement = await _log(
            uow, variant_id, location_id, MovementKind.ADJUST, delta, on_hand, reason, actor
        )
        record_stock_changed(uow, [(variant_id, location_id)], StockChangeCause.ADJUSTED)
        await uow.commit()
    return movement


async def record_sale(
    uow: UnitOfWork,
    *,
    variant_id: VariantId,
    location_id: LocationId,
    quantity: int,
    actor: str,
) -> StockMovement:
    """A point-of-sale sale: on-hand stock at the location goes down at once.

    Only unreserved stock can be sold: units held for carts and orders stay theirs.

    Raises ``DomainError``: ``INVALID_QUANTITY``, ``REQUIRED``, ``INVALID``,
    ``UNKNOWN_VARIANT``, ``UNKNOWN_LOCATION``, ``INSUFFICIENT_STOCK``.
    """
    async with uow:
        problems = [
            *quantity_problems(quantity, field="quantity"),
            *audit_problems(SALE_REASON, actor),
            *await reference_problems(uow.session, variant_id, [("location_id", location_id)]),
        ]
        if problems:
            raise DomainError(problems)
        locked = await lock_levels(uow, [(variant_id, location_id)])
        level = locked.get(variant_id, location_id)
        if level.available < quantity:
            raise DomainError.single(
                ErrorCode.INSUFFICIENT_STOCK,
                f"Only {level.available} units are available at this location",
                "quantity",
            )
        on_hand = await _guarded_on_hand(
            uow,
            variant_id,
            location_id,
            new_on_hand=levels_table.c.on_hand - quantity,
            guard=levels_table.c.on_hand - levels_table.c.reserved >= quantity,
        )
        movement = await _log(
            uow, variant_id, location_id, MovementKind.SALE, -quantity, on_hand, SALE_REASON, actor
        )
        record_stock_changed(uow, [(variant_id, location_id)], StockChangeCause.SOLD)
        await uow.commit()
    return movement


async def transfer_stock(
    uow: UnitOfWork,
    *,
    variant_id: VariantId,
    from_location_id: LocationId,
    to_location_id: LocationId,
    quantity: int,
    reason: str,
    actor: str,
) -> tuple[StockMovement, StockMovement]:
    """Move unreserved stock between locations: both sides change, or neither.

    Returns the movements out of and into the locations.

    Raises ``DomainError``: ``INVALID_QUANTITY``, ``REQUIRED``, ``INVALID`` (the same
    location twice), ``UNKNOWN_VARIANT``, ``UNKNOWN_LOCATION``, ``INSUFFICIENT_STOCK``.
    """
    async with uow:
        problems = [
            *quantity_problems(quantity, field="quantity"),
            *audit_problems(reason, actor),
            *await reference_problems(
                uow.session,
                variant_id,
                [("from_location_id", from_location_id), ("to_location_id", to_location_id)],
            ),
        ]
        if from_location_id == to_location_id:
            problems.append(
                Problem(
                    ErrorCode.INVALID,
                    "Stock is transferred between two different locations",
                    "to_location_id",
                )
            )
        if problems:
            raise DomainError(problems)
        source, target = (variant_id, from_location_id), (variant_id, to_location_id)
        locked = await lock_levels(uow, [source, target], create=True)
        available = locked.get(*source).available
        if available < quantity:
            raise DomainError.single(
                ErrorCode.INSUFFICIENT_STOCK,
                f"Only {available} units are available at the location sent from",
                "quantity",
            )
        out_on_hand = await _guarded_on_hand(
            uow,
            variant_id,
            from_location_id,
            new_on_hand=levels_table.c.on_hand - quantity,
            guard=levels_table.c.on_hand - levels_table.c.reserved >= quantity,
        )
        in_on_hand = await _guarded_on_hand(
            uow,
            variant_id,
            to_location_id,
            new_on_hand=levels_table.c.on_hand + quantity,
            guard=true(),  # adding stock cannot break an invariant
        )
        moved_out = await _log(
            uow,
            variant_id,
            from_location_id,
            MovementKind.TRANSFER_OUT,
            -quantity,
            out_on_hand,
            reason,
            actor,
        )
        moved_in = await _log(
            uow,
            variant_id,
            to_location_id,
            MovementKind.TRANSFER_IN,
            quantity,
            in_on_hand,
            reason,
            actor,
        )
        record_stock_changed(uow, [source, target], StockChangeCause.TRANSFERRED)
        await uow.commit()
    return moved_out, moved_in


async def _guarded_on_hand(
    uow: UnitOfWork,
    variant_id: VariantId,
    location_id: LocationId,
    *,
    new_on_hand: Any,
    guard: Any,
) -> int:
    """Change on-hand stock only where ``guard`` holds; the new on hand, or a refusal."""
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


async def _log(
    uow: UnitOfWork,
    variant_id: VariantId,
    location_id: LocationId,
    kind: MovementKind,
    delta: int,
    on_hand_after: int,
    reason: str,
    actor: str,
) -> StockMovement:
    now = uow.clock.now()
    values = {
        "variant_id": variant_id,
        "location_id": location_id,
        "kind": kind.value,
        "delta": delta,
        "on_hand_after": on_hand_after,
        "reason": reason,
        "actor": actor,
        "created_at": now,
    }
    movement_id = (
        await uow.session.execute(insert(_movements).values(values).returning(_movements.c.id))
    ).scalar_one()
    return StockMovement(
        id=StockMovementId(movement_id),
        variant_id=variant_id,
        location_id=location_id,
        kind=kind,
        delta=delta,
        on_hand_after=on_hand_after,
        reason=reason,
        actor=actor,
        created_at=now,
    )
