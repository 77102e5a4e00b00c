"""Migration 0003 (the outbox) downgrades and upgrades again on the test database."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.migrate import alembic_config, upgrade_to_head


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "0002")


def _outbox_indexes(connection: Connection) -> set[str] | None:
    inspector = inspect(connection)
    if "outbox_events" not in inspector.get_table_names():
        return None
    return {str(index["name"]) for index in inspector.get_indexes("outbox_events")}


async def test_the_outbox_migration_downgrades_and_upgrades(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_downgrade)
        await connection.commit()
        downgraded = await connection.run_sync(_outbox_indexes)

    await upgrade_to_head(engine)

    async with engine.connect() as connection:
        upgraded = await connection.run_sync(_outbox_indexes)
    assert downgraded is None
    assert upgraded == {"ix_outbox_events_created_at", "ix_outbox_events_transaction_id"}
