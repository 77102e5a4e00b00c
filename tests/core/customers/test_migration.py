"""Migration 0004 downgrades and upgrades again on the test database."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.migrate import alembic_config, upgrade_to_head

CUSTOMER_TABLES = {"customers", "customer_sessions", "customer_login_attempts"}


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    # Whatever 0004 follows once the branches are chained.
    revision = ScriptDirectory.from_config(config).get_revision("0004")
    assert isinstance(revision.down_revision, str)
    command.downgrade(config, revision.down_revision)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_the_customers_migration_downgrades_and_upgrades(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_downgrade)
        await connection.commit()
        tables = await connection.run_sync(_tables)
    assert not CUSTOMER_TABLES & tables

    await upgrade_to_head(engine)

    async with engine.connect() as connection:
        tables = await connection.run_sync(_tables)
    assert tables >= CUSTOMER_TABLES
