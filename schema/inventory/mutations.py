"""Stock mutations (staff, ``inventory:write``): counts, adjustments, POS sales, transfers.

Each one is a single core service call (one transaction, written to the stock
movement log with the token's staff name as the actor); the payload shows the
resulting stock level(s) and the movement(s).
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from core.errors import DomainError, Problem
from core.ids import LocationId, VariantId
from core.inventory import model, queries, services
from schema.context import Context
from schema.errors import UserError
from schema.inputs import decode_id, payload_errors
from schema.inventory.staff_types import StockLevel, StockMovement, StockRefs
from schema.permissions import CanWriteInventory

Info = strawberry.Info[Context, None]

_REFERENCE_CODES = "INVALID_ID, UNKNOWN_VARIANT, UNKNOWN_LOCATION, INVALID_QUANTITY"


# ---------------------------------------------------------------- inputs


@strawberry.input(description="A stock count: on hand at the location becomes `quantity`.")
class StockSetInput:
    variant_id: strawberry.ID
    location_id: strawberry.ID
    quantity: int = strawberry.field(description="Not negative; not below what is reserved.")
    reason: str = strawberry.field(description="Why, for the movement log, e.g. 'cycle count'.")


@strawberry.input(description="Add to or take from on-hand stock at a location.")
class StockAdjustInput:
    variant_id: strawberry.ID
    location_id: strawberry.ID
    delta: int = strawberry.field(description="Not zero; negative takes away (not reserved stock).")
    reason: str = strawberry.field(description="Why, for the movement log, e.g. 'damaged'.")


@strawberry.input(description="A point-of-sale sale at a store.")
class StockSaleRecordInput:
    variant_id: strawberry.ID
    location_id: strawberry.ID
    quantity: int = strawberry.field(description="Units sold; at least 1.")


@strawberry.input(description="Move unreserved stock from one location to another.")
class StockTransferInput:
    variant_id: strawberry.ID
    from_location_id: strawberry.ID
    to_location_id: strawberry.ID
    quantity: int = strawberry.field(description="At least 1; at most what is available there.")
    reason: str


# ---------------------------------------------------------------- payloads


@strawberry.type
class StockSetPayload:
    stock_level: StockLevel | None = None
    movement: StockMovement | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StockAdjustPayload:
    stock_level: StockLevel | None = None
    movement: StockMovement | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StockSaleRecordPayload:
    stock_level: StockLevel | None = None
    movement: StockMovement | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StockTransferPayload:
    from_stock_level: StockLevel | None = None
    to_stock_level: StockLevel | None = None
    movements: list[StockMovement] = strawberry.field(
        default_factory=list, description="Out of the first location, then into the second."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- mutations


@strawberry.type
class InventoryMutation:
    @strawberry.mutation(
        permission_classes=[CanWriteInventory],
        description="Set on-hand stock of a variant at a location (a count). Needs "
        f"inventory:write. Errors: {_REFERENCE_CODES}, REQUIRED, INVALID, INSUFFICIENT_STOCK "
        "(below what is reserved).",
    )
    async def stock_set(self, info: Info, input: StockSetInput) -> StockSetPayload:
        context = info.context
        try:
            variant_id, (location_id,) = _ids(
                input.variant_id, [("location_id", input.location_id)]
            )
            movement = await services.set_stock(
                context.runtime.uow(),
                variant_id=variant_id,
                location_id=location_id,
                quantity=input.quantity,
                reason=input.reason,
                actor=await _actor(context),
            )
        except DomainError as error:
            return StockSetPayload(errors=payload_errors(error))
        (level,), (moved,) = await _views(context, [movement])
        return StockSetPayload(stock_level=level, movement=moved)

    @strawberry.mutation(
        permission_classes=[CanWriteInventory],
        description="Add to (delta > 0) or take from (delta < 0) on-hand stock at a location. "
        f"Needs inventory:write. Errors: {_REFERENCE_CODES}, REQUIRED, INVALID, "
        "INSUFFICIENT_STOCK (reserved stock cannot be taken).",
    )
    async def stock_adjust(self, info: Info, input: StockAdjustInput) -> StockAdjustPayload:
        context = info.context
        try:
            variant_id, (location_id,) = _ids(
                input.variant_id, [("location_id", input.location_id)]
            )
            movement = await services.adjust_stock(
                context.runtime.uow(),
                variant_id=variant_id,
                location_id=location_id,
                delta=input.delta,
                reason=input.reason,
                actor=await _actor(context),
            )
        except DomainError as error:
            return StockAdjustPayload(errors=payload_errors(error))
        (level,), (moved,) = await _views(context, [movement])
        return StockAdjustPayload(stock_level=level, movement=moved)

    @strawberry.mutation(
        permission_classes=[CanWriteInventory],
        description="Record a point-of-sale sale at a store: on hand goes down at once. "
        f"Needs inventory:write. Errors: {_REFERENCE_CODES}, INSUFFICIENT_STOCK (the "
        "store has fewer unreserved units).",
    )
    async def stock_sale_record(
        self, info: Info, input: StockSaleRecordInput
    ) -> StockSaleRecordPayload:
        context = info.context
        try:
            variant_id, (location_id,) = _ids(
                input.variant_id, [("location_id", input.location_id)]
            )
            movement = await services.record_sale(
                context.runtime.uow(),
                variant_id=variant_id,
                location_id=location_id,
                quantity=input.quantity,
                actor=await _actor(context),
            )
        except DomainError as error:
            return StockSaleRecordPayload(errors=payload_errors(error))
        (level,), (moved,) = await _views(context, [movement])
        return StockSaleRecordPayload(stock_level=level, movement=moved)

    @strawberry.mutation(
        permission_classes=[CanWriteInventory],
        description="Move unreserved stock between two locations: both sides change or "
        f"neither. Needs inventory:write. Errors: {_REFERENCE_CODES}, REQUIRED, INVALID "
        "(the same location twice), INSUFFICIENT_STOCK.",
    )
    async def stock_transfer(self, info: Info, input: StockTransferInput) -> StockTransferPayload:
        context = info.context
        try:
            variant_id, (from_id, to_id) = _ids(
                input.variant_id,
                [
                    ("from_location_id", input.from_location_id),
                    ("to_location_id", input.to_location_id),
                ],
            )
            moved_out, moved_in = await services.transfer_stock(
                context.runtime.uow(),
                variant_id=variant_id,
                from_location_id=from_id,
                to_location_id=to_id,
                quantity=input.quantity,
                reason=input.reason,
                actor=await _actor(context),
            )
        except DomainError as error:
            return StockTransferPayload(errors=payload_errors(error))
        (source, target), movements = await _views(context, [moved_out, moved_in])
        return StockTransferPayload(
            from_stock_level=source, to_stock_level=target, movements=movements
        )


def _ids(
    variant_id: strawberry.ID, locations: Sequence[tuple[str, strawberry.ID]]
) -> tuple[VariantId, list[LocationId]]:
    """Decode every ID of the input, reporting all malformed ones (``INVALID_ID``) at once."""
    problems: list[Problem] = []
    variant = VariantId(0)
    location_ids: list[LocationId] = []
    try:
        variant = VariantId(decode_id(variant_id, "ProductVariant", field="variant_id"))
    except DomainError as error:
        problems += error.problems
    for field, global_id in locations:
        try:
            location_ids.append(LocationId(decode_id(global_id, "Location", field=field)))
        except DomainError as error:
            problems += error.problems
    if problems:
        raise DomainError(problems)
    return variant, location_ids


async def _actor(context: Context) -> str:
    """The staff member behind the token (the permission class has checked there is one)."""
    principal = await context.staff()
    if principal is None:  # pragma: no cover - CanWriteInventory refuses this first
        raise RuntimeError("stock mutation without a staff principal")
    return principal.staff_name


async def _views(
    context: Context, movements: Sequence[model.StockMovement]
) -> tuple[list[StockLevel], list[StockMovement]]:
    """The stock level after each movement (active reservations only) and the movements."""
    runtime = context.runtime
    variant_ids = sorted({movement.variant_id for movement in movements})
    async with runtime.reads.connect() as connection:
        levels = await queries.stock_levels_by_variant_id(
            connection, variant_ids, now=runtime.clock.now()
        )
        refs = await StockRefs.load(
            connection, variant_ids, [movement.location_id for movement in movements]
        )
    by_key = {
        (level.variant_id, level.location_id): level
        for variant_levels in levels.values()
        for level in variant_levels
    }
    return (
        [refs.level(by_key[(m.variant_id, m.location_id)]) for m in movements],
        [refs.movement(m) for m in movements],
    )
