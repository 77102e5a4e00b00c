"""Breaking the test database's connections, as a restart or a failover would."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.engine import make_url


def postgres_dsn(database_url: str) -> str:
    """asyncpg's DSN for the test database; skips the test on SQLite."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a connection to break: PostgreSQL only (SQLite is a file in this process)")
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


async def terminate_backends(dsn: str, pids: Sequence[int]) -> list[bool]:
    """End the server processes ``pids`` from a connection of our own, as a restart or
    an operator would, and wait (up to 5 s each) until they are gone."""
    terminator = await asyncpg.connect(dsn)
    try:
        rows = await terminator.fetch(
            "SELECT pg_terminate_backend(pid, 5000) FROM unnest($1::int[]) AS pid", list(pids)
        )
    finally:
        await terminator.close()
    return [row[0] for row in rows]
