"""Unique values (slugs, SKUs): checked before writing, recognised after a lost race.

Services look a value up before inserting it, so the usual duplicate is reported
with every other problem of the request. A concurrent transaction can still take
the value between that check and the write; the database's unique constraint then
refuses the loser, and ``violates_unique`` lets the service report the same code
instead of failing the request.
"""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession


async def is_taken(
    session: AsyncSession, table: Table, column: str, value: str, *, except_id: int | None = None
) -> bool:
    """Whether another row of ``table`` (not ``except_id``) has ``value`` in ``column``."""
    statement = select(table.c.id).where(table.c[column] == value).limit(1)
    if except_id is not None:
        statement = statement.where(table.c.id != except_id)
    return (await session.execute(statement)).first() is not None


def violates_unique(error: IntegrityError, table: Table, column: str) -> bool:
    """Whether ``error`` is the unique constraint on ``table.column``.

    PostgreSQL names the constraint (``uq_variants_sku``, from the naming convention
    in ``core.db``); SQLite names the column (``UNIQUE constraint failed: variants.sku``).
    """
    message = str(error.orig)
    return f"uq_{table.name}_{column}" in message or (
        "UNIQUE constraint failed" in message and f"{table.name}.{column}" in message
    )
