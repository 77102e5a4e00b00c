"""Migration 0002 downgrades and upgrades again on the test database."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.migrate import alembic_config, upgrade_to_head


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "0001")


def _shape(connection: Connection) -> tuple[set[str], set[str]]:
    inspector = inspect(connection)
    columns = {column["name"] for column in inspector.get_columns("channels")}
    return set(inspector.get_table_names()), columns


async def test_the_inventory_migration_downgrades_and_upgrades(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_downgrade)
        await connection.commit()
        tables, channel_columns = await connection.run_sync(_shape)
    assert not {"stock_levels", "reservations", "stock_movements"} & tables
    assert not {"stock_display", "low_stock_threshold"} & channel_columns

    await upgrade_to_head(engine)

    async with engine.connect() as connection:
        tables, channel_columns = await connection.run_sync(_shape)
    assert {"stock_levels", "reservations", "stock_movements"} <= tables
    assert {"stock_display", "low_stock_threshold"} <= channel_columns
