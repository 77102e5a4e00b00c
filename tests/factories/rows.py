"""What the database holds, read directly: to show that a refused request wrote nothing."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import tables  # noqa: F401  (every table on the metadata, for row_counts)
from core.db import metadata
from core.runtime import Runtime


async def row_counts(runtime: Runtime) -> dict[str, int]:
    """Rows in every table, to show that a refused request wrote nothing.

    Leaves out ``instance_keys``: the instance key is generated once per database, by
    whichever request first needs it (core.keys), whether that request succeeds or not.
    """
    async with runtime.engine.connect() as connection:
        return {
            table.name: (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in metadata.sorted_tables
            if table.name != "instance_keys"
        }


async def truncate(engine: AsyncEngine) -> None:
    """Empty every table (as tests/conftest.py does between tests): between the
    examples of one hypothesis test."""
    names = [table.name for table in reversed(metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            await connection.execute(text("PRAGMA defer_foreign_keys = ON"))
            for name in names:
                await connection.execute(text(f"DELETE FROM {name}"))
