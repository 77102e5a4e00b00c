"""INSERT ... ON CONFLICT DO UPDATE on both databases we run on.

PostgreSQL and SQLite spell the statement the same way in SQL but SQLAlchemy builds
it from each dialect's own ``insert``, so the session's dialect picks the builder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def upsert(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
) -> None:
    """INSERT, or UPDATE every non-key column of the row with the same ``keys``."""
    rows = [values] if isinstance(values, Mapping) else list(values)
    columns = [name for name in rows[0] if name not in keys]
    if session.get_bind().dialect.name == "postgresql":
        pg_statement = postgresql.insert(table).values(rows)
        await session.execute(
            pg_statement.on_conflict_do_update(
                index_elements=list(keys),
                set_={name: pg_statement.excluded[name] for name in columns},
            )
        )
        return
    lite_statement = sqlite.insert(table).values(rows)
    await session.execute(
        lite_statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: lite_statement.excluded[name] for name in columns},
        )
    )
