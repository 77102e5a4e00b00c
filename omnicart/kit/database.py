"""The test database: SQLite in a temporary file, or the database named by
``OMNICART_TEST_DATABASE_URL`` (PostgreSQL), migrated from empty and emptied
between tests."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import tables  # noqa: F401  (every table on the metadata, for cleaning)
from core.config import normalise_database_url
from core.db import create_engine, metadata
from core.migrate import upgrade_to_head

TEST_DATABASE_VARIABLE = "OMNICART_TEST_DATABASE_URL"


def test_database_url(directory: Path) -> str:
    """``OMNICART_TEST_DATABASE_URL`` when set, else a new SQLite file in ``directory``."""
    configured = os.environ.get(TEST_DATABASE_VARIABLE)
    if configured:
        return normalise_database_url(configured)
    return f"sqlite+aiosqlite:///{directory / 'omnicart-test.db'}"


async def migrated_engine(database_url: str) -> AsyncEngine:
    """An engine on ``database_url`` after every migration ran on an empty schema.

    On PostgreSQL the ``public`` schema is dropped first, so the migrations themselves
    are under test and whatever a previous run left is gone.
    """
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade_to_head(engine)
    return engine


async def empty_tables(engine: AsyncEngine) -> None:
    """Delete every row of Omnicart's tables (a plugin's own tables are its business)."""
    names = [table.name for table in reversed(metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            # Self-references (the category tree) are checked at commit, when all are gone.
            await connection.execute(text("PRAGMA defer_foreign_keys = ON"))
            for name in names:
                await connection.execute(text(f"DELETE FROM {name}"))
