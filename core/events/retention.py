"""Pruning the outbox: published events are kept for the configured retention only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from core.events.outbox import outbox_table
from core.uow import UnitOfWork


async def prune_outbox(uow: UnitOfWork, *, retention_seconds: float) -> int:
    """Delete outbox rows older than ``retention_seconds``; how many were deleted."""
    async with uow:
        cutoff = uow.clock.now() - timedelta(seconds=retention_seconds)
        deleted = await uow.session.execute(
            delete(outbox_table).where(outbox_table.c.created_at < cutoff)
        )
        await uow.commit()
    return int(getattr(deleted, "rowcount", 0) or 0)
