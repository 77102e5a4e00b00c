"""The unit of work: one transaction, a commit that runs a change's last steps with its
outbox rows, and nothing written when anything fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import BigInteger, String, Update, bindparam, select, update

from core.carts.events import CartChanged
from core.channels.tables import LocationRow
from core.db import table_of
from core.db.chain import Chain, GuardFailed, Refs, Step
from core.ids import CartId
from core.runtime import Runtime
from tests.factories import StatementCounter, make_location, stored_events

locations = table_of(LocationRow)
RENAME = (
    update(locations)
    .where(locations.c.id == bindparam("location_id"))
    .values(name=bindparam("name"))
)


def rename(name: str) -> Step:
    """A write step: location ``<name>_id`` renamed to ``<name>_name``, guarded by its
    name still being ``<name>_was``."""

    def build(_refs: Refs) -> Update:
        return (
            update(locations)
            .where(
                locations.c.id == bindparam(f"{name}_id", type_=BigInteger()),
                locations.c.name == bindparam(f"{name}_was", type_=String()),
            )
            .values(name=bindparam(f"{name}_name", type_=String()))
            .returning(locations.c.id)
        )

    return Step(name, build, required=True, key=f"test-rename:{name}")


def renamed(name: str, location_id: int, was: str, new: str) -> dict[str, object]:
    return {f"{name}_id": location_id, f"{name}_was": was, f"{name}_name": new}


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()  # the LISTEN connection, on PostgreSQL


async def names(runtime: Runtime) -> dict[int, str]:
    async with runtime.engine.connect() as connection:
        rows = (await connection.execute(select(locations.c.id, locations.c.name))).all()
    return {row.id: row.name for row in rows}


async def test_a_commits_steps_land_with_its_events_in_one_statement(
    runtime: Runtime, count_statements: StatementCounter
) -> None:
    first = await make_location(runtime, slug="north", name="North")
    second = await make_location(runtime, slug="south", name="South")
    count_statements.reset()

    async with runtime.uow() as uow:
        uow.record(CartChanged(cart_id=CartId(7), version=2))
        await uow.commit(
            Chain((rename("a"), rename("b"))),
            {
                **renamed("a", first.id, "North", "North hall"),
                **renamed("b", second.id, "South", "South hall"),
            },
        )
    sent = list(count_statements.statements)

    assert await names(runtime) == {first.id: "North hall", second.id: "South hall"}
    assert [event.subject_ids for event in await stored_events(runtime)] == [[7]]
    # PostgreSQL: the steps and the outbox are one statement, which commits by itself;
    # SQLite runs each step, then the outbox write.
    postgres = runtime.engine.dialect.name == "postgresql"
    assert len(sent) == (1 if postgres else 3), sent


async def test_steps_land_after_other_work_in_the_transaction_and_without_events(
    runtime: Runtime,
) -> None:
    first = await make_location(runtime, slug="north", name="North")
    second = await make_location(runtime, slug="south", name="South")

    async with runtime.uow() as uow:
        await uow.commit(Chain((rename("a"),)), renamed("a", first.id, "North", "North 2"))
    async with runtime.uow() as uow:
        await uow.fetch(RENAME, {"location_id": second.id, "name": "South 2"})
        await uow.commit(Chain((rename("a"),)), renamed("a", first.id, "North 2", "North 3"))

    assert await names(runtime) == {first.id: "North 3", second.id: "South 2"}
    assert await stored_events(runtime) == []


async def test_a_guard_that_does_not_hold_writes_nothing(runtime: Runtime) -> None:
    first = await make_location(runtime, slug="north", name="North")
    second = await make_location(runtime, slug="south", name="South")

    with pytest.raises(GuardFailed):
        async with runtime.uow() as uow:
            uow.record(CartChanged(cart_id=CartId(7), version=2))
            await uow.commit(
                Chain((rename("a"), rename("b"))),
                {
                    **renamed("a", first.id, "North", "North hall"),
                    # Renamed by somebody else since it was read.
                    **renamed("b", second.id, "South (old)", "South hall"),
                },
            )

    assert await names(runtime) == {first.id: "North", second.id: "South"}
    assert await stored_events(runtime) == []
    assert uow.committed_events == []


async def test_writes_are_dropped_when_the_unit_of_work_fails(runtime: Runtime) -> None:
    location = await make_location(runtime, slug="north", name="North")

    with pytest.raises(RuntimeError):
        async with runtime.uow() as uow:
            await uow.fetch(RENAME, {"location_id": location.id, "name": "Lost"})
            uow.record(CartChanged(cart_id=CartId(7), version=2))
            raise RuntimeError("a plugin failed")
    # The next unit of work on the same runtime starts with nothing recorded.
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
        await uow.rollback()  # as a replayed cart change does
        second = await uow.connection()
        await second.execute(RENAME, {"location_id": location.id, "name": "Committed"})
        await uow.commit()
        # Work after a commit runs in a new transaction, on the connection it gets.
        third = await uow.connection()
        await third.execute(RENAME, {"location_id": location.id, "name": "Never committed"})

    assert await names(runtime) == {location.id: "Committed"}
