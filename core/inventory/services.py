"""On-hand stock use cases: counts (of one variant, or many at a location), adjustments,
point-of-sale sales and transfers.

Each change is one guarded statement per stock level (``on_hand - :q`` only where
``on_hand - reserved >= :q``; ``on_hand + :d`` only where that stays at or above
``reserved``; a count's ``on_hand = :n`` only where ``reserved <= :n``, one statement
for all the levels counted) on rows locked first in (variant, location) order, and
is written to the stock movement log (``core.inventory.movement_log``) in the same
transaction. ``core.inventory.reservations``
describes the whole consistency design.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import case, true, update

from core.errors import DomainError, ErrorCode, Problem
from core.ids import LocationId, VariantId
from core.inventory.events import StockChangeCause
from core.inventory.input_checks import (
    MAX_COUNTS,
    audit_problems,
    count_problems,
    delta_problems,
    location_problems,
    quantity_problems,
    reference_problems,
    variant_problems,
)
from core.inventory.levels import change_on_hand, levels_table, lock_levels, record_stock_changed
from core.inventory.model import MovementKind, StockCount, StockMovement
from core.inventory.movement_log import log_movement, log_movements
from core.uow import UnitOfWork

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
        [movement] = await _set_counted(
            uow,
            location_id,
            [StockCount(variant_id, quantity)],
            reason,
            actor,
            quantity_field=lambda _index: "quantity",
        )
        await uow.commit()
    return movement


async def count_stock(
    uow: UnitOfWork,
    *,
    location_id: LocationId,
    counts: Sequence[StockCount],
    reason: str,
    actor: str,
) -> list[StockMovement]:
    """A stock count at one location: each counted variant's on-hand stock becomes its count.

    ``set_stock`` for many variants in one transaction: every count is taken or none,
    none below what is reserved. Returns one ``SET`` movement per count, in the order
    given (a count that confirms the figure has delta 0), and records one
    ``StockChanged`` per variant. At most ``MAX_COUNTS`` counts at once.

    Raises ``DomainError``: ``REQUIRED`` (no counts, or no reason or actor),
    ``INVALID`` (too many counts, a variant counted twice, reason or actor too long),
    ``INVALID_QUANTITY``, ``UNKNOWN_VARIANT``, ``UNKNOWN_LOCATION``,
    ``INSUFFICIENT_STOCK`` (below reserved). Fields name the count:
    ``counts.2.quantity``.
    """
    async with uow:
        problems = [*count_problems(counts), *audit_problems(reason, actor)]
        if len(counts) <= MAX_COUNTS:  # more is refused, without reading that many ids
            problems += await variant_problems(
                uow.session,
                [
                    (f"counts.{index}.variant_id", count.variant_id)
                    for index, count in enumerate(counts)
                ],
            )
        problems += await location_problems(uow.session, [("location_id", location_id)])
        if problems:
            raise DomainError(problems)
        movements = await _set_counted(
            uow,
            location_id,
            counts,
            reason,
            actor,
            quantity_field=lambda index: f"counts.{index}.quantity",
        )
        await uow.commit()
    return movements


async def _set_counted(
    uow: UnitOfWork,
    location_id: LocationId,
    counts: Sequence[StockCount],
    reason: str,
    actor: str,
    *,
    quantity_field: Callable[[int], str],
) -> list[StockMovement]:
    """Set the counted variants' on-hand stock at the location and log each count.

    One guarded UPDATE for every count (``on_hand`` becomes the count only where
    ``reserved`` stays within it) on rows locked first; ``quantity_field`` names the
    field of the count at an index in a refusal.
    """
    keys = [(count.variant_id, location_id) for count in counts]
    locked = await lock_levels(uow, keys, create=True)
    levels = [locked.get(*key) for key in keys]
    below_reserved = [
        Problem(
            ErrorCode.INSUFFICIENT_STOCK,
            f"{level.reserved} units are reserved at this location; stock cannot be set below that",
            quantity_field(index),
        )
        for index, (count, level) in enumerate(zip(counts, levels, strict=True))
        if count.quantity < level.reserved
    ]
    if below_reserved:
        raise DomainError(below_reserved)
    counted = case(
        {count.variant_id: count.quantity for count in counts}, value=levels_table.c.variant_id
    )
    statement = (
        update(levels_table)
        .where(
            levels_table.c.location_id == location_id,
            levels_table.c.variant_id.in_([count.variant_id for count in counts]),
            levels_table.c.reserved <= counted,
        )
        .values(on_hand=counted, version=levels_table.c.version + 1, updated_at=uow.clock.now())
        .returning(levels_table.c.variant_id)
    )
    changed = set((await uow.session.execute(statement)).scalars())
    refused = [index for index, count in enumerate(counts) if count.variant_id not in changed]
    if refused:
        # The rows are locked, so the check before this should have refused already.
        raise DomainError.single(
            ErrorCode.INSUFFICIENT_STOCK,
            "Not enough stock at this location",
            quantity_field(refused[0]),
        )
    movements = await log_movements(
        uow,
        [
            (
                count.variant_id,
                location_id,
                MovementKind.SET,
                count.quantity - level.on_hand,
                count.quantity,
            )
            for count, level in zip(counts, levels, strict=True)
        ],
        reason,
        actor,
    )
    record_stock_changed(uow, keys, StockChangeCause.SET)
    return movements


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
        on_hand = await change_on_hand(
            uow,
            variant_id,
            location_id,
            new_on_hand=levels_table.c.on_hand + delta,
            guard=levels_table.c.on_hand + delta >= levels_table.c.reserved,
        )
        movement = await log_movement(
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
        on_hand = await change_on_hand(
            uow,
            variant_id,
            location_id,
            new_on_hand=levels_table.c.on_hand - quantity,
            guard=levels_table.c.on_hand - levels_table.c.reserved >= quantity,
        )
        movement = await log_movement(
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
        out_on_hand = await change_on_hand(
            uow,
            variant_id,
            from_location_id,
            new_on_hand=levels_table.c.on_hand - quantity,
            guard=levels_table.c.on_hand - levels_table.c.reserved >= quantity,
        )
        in_on_hand = await change_on_hand(
            uow,
            variant_id,
            to_location_id,
            new_on_hand=levels_table.c.on_hand + quantity,
            guard=true(),  # adding stock cannot break an invariant
        )
        moved_out = await log_movement(
            uow,
            variant_id,
            from_location_id,
            MovementKind.TRANSFER_OUT,
            -quantity,
            out_on_hand,
            reason,
            actor,
        )
        moved_in = await log_movement(
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
