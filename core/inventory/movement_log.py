"""The stock movement log: every change of on-hand stock, appended as it is made.

Each inventory write appends its movements in its own transaction, naming what
caused it (``reason``) and who (``actor``). ``core.inventory.queries.stock_movements``
reads the log.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert

from core.db import table_of
from core.ids import LocationId, StockMovementId, VariantId
from core.inventory.model import MovementKind, StockMovement
from core.inventory.tables import StockMovementRow
from core.uow import UnitOfWork

_movements = table_of(StockMovementRow)


async def log_movement(
    uow: UnitOfWork,
    variant_id: VariantId,
    location_id: LocationId,
    kind: MovementKind,
    delta: int,
    on_hand_after: int,
    reason: str,
    actor: str,
) -> StockMovement:
    """Append one change to the stock movement log; its log entry."""
    [movement] = await log_movements(
        uow, [(variant_id, location_id, kind, delta, on_hand_after)], reason, actor
    )
    return movement


# What one movement changed: variant, location, kind, delta, on hand after.
MovementChange = tuple[VariantId, LocationId, MovementKind, int, int]


async def log_movements(
    uow: UnitOfWork, changes: Sequence[MovementChange], reason: str, actor: str
) -> list[StockMovement]:
    """Append ``changes`` to the stock movement log; their log entries, in order.

    Each stock level (variant, location) changes at most once in ``changes``.
    """
    keys = [(variant_id, location_id) for variant_id, location_id, *_ in changes]
    if len(set(keys)) != len(keys):
        raise ValueError("a stock level is logged once per call")
    now = uow.clock.now()
    rows = [
        {
            "variant_id": variant_id,
            "location_id": location_id,
            "kind": kind.value,
            "delta": delta,
            "on_hand_after": on_hand_after,
            "reason": reason,
            "actor": actor,
            "created_at": now,
        }
        for variant_id, location_id, kind, delta, on_hand_after in changes
    ]
    # Few INSERT ... RETURNING statements for all the rows (SQLAlchemy's
    # "insertmanyvalues"). Each id is matched to its row by the stock level: asking
    # for the ids in row order (sort_by_parameter_order) makes SQLAlchemy insert one
    # row per statement on SQLite.
    statement = insert(_movements).returning(
        _movements.c.id, _movements.c.variant_id, _movements.c.location_id
    )
    ids = {
        (row.variant_id, row.location_id): StockMovementId(row.id)
        for row in await uow.session.execute(statement, rows)
    }
    return [
        StockMovement(
            id=ids[(variant_id, location_id)],
            variant_id=variant_id,
            location_id=location_id,
            kind=kind,
            delta=delta,
            on_hand_after=on_hand_after,
            reason=reason,
            actor=actor,
            created_at=now,
        )
        for variant_id, location_id, kind, delta, on_hand_after in changes
    ]
