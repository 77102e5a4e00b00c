"""Chunked statements for the bulk import, each chunk within the bind-parameter limits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Base, table_of

T = TypeVar("T")

# Rows per INSERT executemany and keys per IN (...) read: far below the bind-parameter
# limits of SQLite (32766) and asyncpg (32767), large enough that round trips are few.
INSERT_CHUNK_SIZE = 1000
SELECT_CHUNK_SIZE = 5000


async def insert_rows(
    session: AsyncSession, row_class: type[Base], rows: Sequence[Mapping[str, Any]]
) -> None:
    """INSERT ``rows`` into ``row_class``'s table, ``INSERT_CHUNK_SIZE`` rows at a time."""
    # Core executemany, not the ORM's bulk path: no identity map, no per-row objects.
    for chunk in _chunks(rows, INSERT_CHUNK_SIZE):
        await session.execute(insert(table_of(row_class)), chunk)


async def ids_by_key(
    session: AsyncSession, table: Table, key: str, values: Iterable[str]
) -> dict[str, int]:
    """Ids of the rows whose unique ``key`` column is one of ``values``."""
    column = table.c[key]
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(values), SELECT_CHUNK_SIZE):
        statement = select(column, table.c.id).where(column.in_(chunk))
        for value, row_id in (await session.execute(statement)).all():
            found[value] = row_id
    return found


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
