"""Apply the Alembic migrations shipped in the ``migrations`` package."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Bring the database behind ``engine`` to the newest schema (idempotent).

    On SQLite the migrations run with foreign keys off, as SQLite's documented way of
    changing a table requires (a rebuilt table is dropped, and a drop with foreign keys
    on would cascade into the rows that refer to it); ``PRAGMA foreign_key_check`` then
    proves nothing dangles before they are switched on again.
    """
    async with engine.connect() as connection:
        driver: Any = None
        if connection.dialect.name == "sqlite":
            # Outside any transaction (SQLite ignores the pragma inside one).
            driver = (await connection.get_raw_connection()).driver_connection
            await driver.execute("PRAGMA foreign_keys=OFF")
        try:
            await connection.run_sync(_upgrade)
            if driver is not None:
                dangling = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if dangling:
                    raise RuntimeError(f"migrations left rows without their parents: {dangling}")
            await connection.commit()
        finally:
            if driver is not None:
                await connection.rollback()
                await driver.execute("PRAGMA foreign_keys=ON")


def upgrade_url(url: str) -> None:
    """Synchronous entry point for the CLI."""
    from core.db import create_engine

    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
