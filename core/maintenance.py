"""The sweep: what ``omnicart inventory sweep`` and every server process's periodic sweep do.

It deletes outbox events older than ``OMNICART_OUTBOX_RETENTION_SECONDS``
(``core.events.outbox``) and expired reservations (``core.inventory.sweeper``). Both
are safe to run in many processes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.events.retention import prune_outbox
from core.inventory import queries
from core.inventory.sweeper import sweep_expired
from core.runtime import Runtime


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


async def next_sweep_due(runtime: Runtime) -> datetime | None:
    """When the next reservation expires: the moment a sweep has something to release."""
    async with runtime.reads.connect() as connection:
        return await queries.next_expiry(connection)
