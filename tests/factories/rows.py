"""What the database holds, read directly: to show that a refused request wrote nothing."""

from __future__ import annotations

from sqlalchemy import func, select

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
