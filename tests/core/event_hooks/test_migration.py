"""Migration 0010 (event cursors, dead events, the event type) downgrades and upgrades again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.migrate import alembic_config, upgrade_to_head


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "0009")  # the revision 0010 follows


def _shape(connection: Connection) -> tuple[bool, bool, set[str]]:
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    outbox_columns = {str(column["name"]) for column in inspector.get_columns("outbox_events")}
    return "event_cursors" in tables, "dead_events" in tables, outbox_columns


async def test_the_event_cursor_migration_downgrades_and_upgrades(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_downgrade)
        await connection.commit()
        downgraded = await connection.run_sync(_shape)

    await upgrade_to_head(engine)

    async with engine.connect() as connection:
        upgraded = await connection.run_sync(_shape)
    assert downgraded[:2] == (False, False) and "event_type" not in downgraded[2]
    assert upgraded[:2] == (True, True) and "event_type" in upgraded[2]
