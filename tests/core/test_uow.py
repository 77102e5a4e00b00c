"""The unit of work's writes held for the commit (``UnitOfWork.write_later``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import bindparam, select, update

from core.carts.events import CartChanged
from core.channels.tables import LocationRow
from core.db import table_of
from core.ids import CartId
from core.runtime import Runtime
from tests.conftest import StatementCounter
from tests.core.events.test_outbox import stored_events
from tests.factories import make_location

locations = table_of(LocationRow)
RENAME = (
    update(locations)
    .where(locations.c.id == bindparam("location_id"))
    .values(name=bindparam("name"))
)


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()  # the LISTEN connection, on PostgreSQL


async def names(runtime: Runtime) -> dict[int, str]:
    async with runtime.engine.connect() as connection:
        rows = (await connection.execute(select(locations.c.id, locations.c.name))).all()
    return {row.id: row.name for row in rows}


async def test_held_writes_land_with_the_commit_and_its_events_in_one_statement(
    runtime: Runtime, count_statements: StatementCounter
) -> None:
    first = await make_location(runtime, slug="north", name="North")
    second = await make_location(runtime, slug="south", name="South")
    count_statements.reset()

    async with runtime.uow() as uow:
        await uow.write_later(RENAME, {"location_id": first.id, "name": "North hall"})
        await uow.write_later(RENAME, {"location_id": second.id, "name": "South hall"})
        uow.record(CartChanged(cart_id=CartId(7), version=2))
        await uow.commit()
    sent = list(count_statements.statements)

    assert await names(runtime) == {first.id: "North hall", second.id: "South hall"}
    assert [event.subject_ids for event in await stored_events(runtime)] == [[7]]
    # PostgreSQL: both updates ride on the outbox write; SQLite runs each as it comes.
    postgres = runtime.engine.dialect.name == "postgresql"
    assert len(sent) == (1 if postgres else 3), sent


async def test_held_writes_land_without_events_too(runtime: Runtime) -> None:
    first = await make_location(runtime, slug="north", name="North")
    second = await make_location(runtime, slug="south", name="South")

    async with runtime.uow() as uow:
        await uow.write_later(RENAME, {"location_id": first.id, "name": "North hall"})
        await uow.commit()
    async with runtime.uow() as uow:
        await uow.write_later(RENAME, {"location_id": first.id, "name": "North 2"})
        await uow.write_later(RENAME, {"location_id": second.id, "name": "South 2"})
        await uow.commit()

    assert await names(runtime) == {first.id: "North 2", second.id: "South 2"}
    assert await stored_events(runtime) == []


async def test_held_writes_are_dropped_when_the_unit_of_work_fails(runtime: Runtime) -> None:
    location = await make_location(runtime, slug="north", name="North")

    with pytest.raises(RuntimeError):
        async with runtime.uow() as uow:
            await uow.write_later(RENAME, {"location_id": location.id, "name": "Lost"})
            uow.record(CartChanged(cart_id=CartId(7), version=2))
            raise RuntimeError("a plugin failed")
    # The next unit of work on the same runtime starts with nothing held.
    async with runtime.uow() as uow:
        await uow.commit()

    assert await names(runtime) == {location.id: "North"}
    assert await stored_events(runtime) == []


async def test_the_connection_is_kept_for_the_transaction_and_renewed_after_it(
    runtime: Runtime,
) -> None:
    location = await make_location(runtime, slug="north", name="North")

    async with runtime.uow() as uow:
        first = await uow.connection()
        assert await uow.connection() is first
        await first.execute(RENAME, {"location_id": location.id, "name": "Rolled back"})
        await uow.session.rollback()  # as a replayed cart change does
        second = await uow.connection()
        await second.execute(RENAME, {"location_id": location.id, "name": "Committed"})
        await uow.commit()
        # Work after a commit runs in a new transaction, on the connection it gets.
        third = await uow.connection()
        await third.execute(RENAME, {"location_id": location.id, "name": "Never committed"})

    assert await names(runtime) == {location.id: "Committed"}
