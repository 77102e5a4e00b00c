"""Migration 0007 (cart addresses) downgrades and upgrades again on the test database."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.migrate import alembic_config, upgrade_to_head

ADDRESS_COLUMNS = {"shipping_address", "billing_address"}


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    # Whatever 0007 follows once the branches are chained.
    revision = ScriptDirectory.from_config(config).get_revision("0007")
    assert isinstance(revision.down_revision, str)
    command.downgrade(config, revision.down_revision)


def _cart_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("carts")}


async def test_the_cart_addresses_migration_downgrades_and_upgrades(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_downgrade)
        await connection.commit()
        columns = await connection.run_sync(_cart_columns)
    assert not ADDRESS_COLUMNS & columns

    await upgrade_to_head(engine)

    async with engine.connect() as connection:
        columns = await connection.run_sync(_cart_columns)
    assert columns >= ADDRESS_COLUMNS
