"""Returned units arriving at a location (issue 14): restocked there, or written off.

Called by ``core.orders.returns`` inside its unit of work. The stock rows are locked
first in (variant, location) order (``core.inventory.levels``, created where the
location never stocked the variant), restocked units go on hand through the one
on-hand statement (``levels.change_on_hand``), and every received unit is logged with
its reason, which names the return: ``RETURN`` movements for units back on hand,
``WRITE_OFF`` movements (of zero units: nothing comes on hand) for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import true

from core.ids import LocationId, VariantId
from core.inventory.events import StockChangeCause
from core.inventory.levels import change_on_hand, levels_table, lock_levels, record_stock_changed
from core.inventory.model import MovementKind, StockMovement
from core.inventory.movement_log import log_movement
from core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ReceivedUnits:
    """Units of a variant received at a location: ``restocked`` go back on hand,
    ``written_off`` do not; ``reason`` names the return (and the staff note)."""

    variant_id: VariantId
    restocked: int
    written_off: int
    reason: str


async def receive_returned(
    uow: UnitOfWork,
    *,
    location_id: LocationId,
    received: Sequence[ReceivedUnits],
    actor: str,
) -> list[StockMovement]:
    """Put restocked units on hand at ``location_id`` and log every received unit (see
    the module docstring); the movements, in the order of ``received``."""
    keys = [(units.variant_id, location_id) for units in received]
    locked = await lock_levels(uow, keys, create=True)
    on_hand = {key: locked.get(*key).on_hand for key in keys}
    movements: list[StockMovement] = []
    restocked_keys = []
    for units in received:
        key = (units.variant_id, location_id)
        if units.restocked > 0:
            on_hand[key] = await change_on_hand(
                uow,
                units.variant_id,
                location_id,
                new_on_hand=levels_table.c.on_hand + units.restocked,
                guard=true(),  # adding stock cannot break an invariant
            )
            restocked_keys.append(key)
            movements.append(
                await log_movement(
                    uow,
                    units.variant_id,
                    location_id,
                    MovementKind.RETURN,
                    units.restocked,
                    on_hand[key],
                    units.reason,
                    actor,
                )
            )
        if units.written_off > 0:
            movements.append(
                await log_movement(
                    uow,
                    units.variant_id,
                    location_id,
                    MovementKind.WRITE_OFF,
                    0,
                    on_hand[key],
                    f"{units.reason} (written off: {units.written_off})",
                    actor,
                )
            )
    if restocked_keys:
        record_stock_changed(uow, restocked_keys, StockChangeCause.RETURNED)
    return movements
