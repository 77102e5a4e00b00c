"""Rows a catalog change refers to by id: whether they exist, and the problem when not."""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ErrorCode, Problem


async def exists(session: AsyncSession, table: Table, row_id: int, *, lock: bool = False) -> bool:
    statement = select(table.c.id).where(table.c.id == row_id)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).first() is not None


def not_found(field: str, thing: str) -> Problem:
    return Problem(ErrorCode.NOT_FOUND, f"There is no such {thing}", field)
