"""The sweep: what ``omnicart inventory sweep`` and every server process's periodic sweep do.

It deletes outbox events older than ``OMNICART_OUTBOX_RETENTION_SECONDS`` that the
plugin event delivery has passed (``prune_outbox``) and expired reservations
(``core.inventory.sweeper``). Both are safe to run in many processes at once.

Pruning lives here rather than in ``core.events``: it is a use case taking a unit of
work, and ``core.uow`` imports ``core.events`` to write the outbox on commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from core.event_hooks.cursors import delivered_condition
from core.events.outbox import outbox_table
from core.inventory import queries
from core.inventory.sweeper import sweep_expired
from core.runtime import Runtime
from core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class SweepReport:
    released: int  # expired reservations deleted
    pruned: int  # outbox events deleted


async def sweep(runtime: Runtime) -> SweepReport:
    """Prune the outbox, then release expired reservations."""
    pruned = await prune_outbox(
        runtime.uow(), retention_seconds=runtime.settings.outbox_retention_seconds
    )
    released = await sweep_expired(runtime)
    return SweepReport(released=released, pruned=pruned)


async def prune_outbox(uow: UnitOfWork, *, retention_seconds: float) -> int:
    """Delete outbox rows older than ``retention_seconds``; how many were deleted.

    One ``DELETE``: the retention also bounds what a listener can replay after losing
    its connection (``core.events.replay``). Rows a plugin's event cursor saved within
    the retention has not passed stay until it has (``core.event_hooks.cursors``). On
    SQLite the newest row always stays: SQLite gives a new row the highest id plus
    one, and an id used again would sit behind the cursors.
    """
    async with uow:
        cutoff = uow.clock.now() - timedelta(seconds=retention_seconds)
        connection = await uow.connection()
        prunable = delete(outbox_table).where(
            outbox_table.c.created_at < cutoff,
            await delivered_condition(connection, active_since=cutoff),
        )
        if uow.dialect == "sqlite":
            newest = select(func.max(outbox_table.c.id)).scalar_subquery()
            prunable = prunable.where(outbox_table.c.id < newest)
        deleted = await connection.execute(prunable)
        await uow.commit()
    return int(getattr(deleted, "rowcount", 0) or 0)


async def next_sweep_due(runtime: Runtime) -> datetime | None:
    """When the next reservation expires: the moment a sweep has something to release."""
    async with runtime.reads.connect() as connection:
        return await queries.next_expiry(connection)
