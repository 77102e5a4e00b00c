"""Cart adds take stock row locks in (variant, location) order (core/inventory/levels.py),
so concurrent adds wait for each other but never deadlock (PostgreSQL).

Found by test_a_hundred_carts_adding_the_last_ten_units_at_once_get_exactly_ten
(tests/schema/carts/test_concurrency.py), which about one run in twenty answered some
adds with INTERNAL_SERVER_ERROR: the server log showed ``deadlock detected`` between two
adds locking the variant's stock rows (the locked path's SELECT ... FOR UPDATE after a
quick take at the first location had already locked a row). The locked path no longer
takes before it locks (issue 12: one write path); the test below makes that
interleaving happen on purpose, holding rows from connections of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import Select, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.carts import services
from core.carts.services import LineInput
from core.channels.model import Location
from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.inventory import services as inventory
from core.inventory.tables import StockLevelRow
from core.runtime import Runtime
from tests.factories import Shop, make_shop

_levels = table_of(StockLevelRow)


def level(shop: Shop, location: Location) -> Select[tuple[int]]:
    return select(_levels.c.on_hand).where(
        _levels.c.variant_id == shop.variant_id, _levels.c.location_id == location.id
    )


async def backend(connection: AsyncConnection) -> int:
    return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def waiting(runtime: Runtime, at_least: int, *, for_pid: int | None = None) -> None:
    """Wait until ``at_least`` sessions wait for a lock (one that session ``for_pid`` holds)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' "
        "AND (CAST(:pid AS integer) IS NULL OR :pid = ANY(pg_blocking_pids(pid)))"
    )
    for _ in range(500):
        async with runtime.engine.connect() as connection:
            if (await connection.execute(query, {"pid": for_pid})).scalar_one() >= at_least:
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {at_least} sessions wait for a lock")


async def test_an_add_whose_quick_take_misses_holds_no_row_while_it_locks_the_others(
    runtime: Runtime,
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers on one lock")
    shop = await make_shop(runtime, warehouse=1, store=2)
    await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )  # the warehouse's only unit: an add now takes from the store
    empty = await services.create_cart(runtime.uow(), channel_id=shop.channel.id)
    assert empty.token is not None
    # The path an add takes when its one-statement attempt lost a race (as under load).
    locked = dataclasses.replace(runtime, autocommit=None)
    async with runtime.engine.connect() as store_holder, runtime.engine.connect() as other:
        await store_holder.begin()
        await store_holder.execute(level(shop, shop.store).with_for_update())
        await other.begin()
        await other.execute(level(shop, shop.warehouse).with_for_update())
        # A count of the store waits for it; then the add's take there waits too.
        count = asyncio.create_task(
            inventory.set_stock(
                runtime.uow(),
                variant_id=shop.variant_id,
                location_id=shop.store.id,
                quantity=0,
                reason="count",
                actor="staff",
            )
        )
        await waiting(runtime, 1)
        add = asyncio.create_task(
            services.add_lines(
                locked.uow(), token=empty.token, lines=[LineInput(shop.variant_id, 1)]
            )
        )
        await waiting(runtime, 2)
        # The count goes through: the add's take finds the store empty, and the add
        # goes on to lock the variant's rows, waiting for the warehouse.
        await store_holder.rollback()
        await count
        await waiting(runtime, 1, for_pid=await backend(other))

        try:
            await other.execute(level(shop, shop.store).with_for_update(nowait=True))
            store_free = True
        except DBAPIError:
            store_free = False
        await other.rollback()

        with pytest.raises(DomainError) as refused:
            await add
    assert [problem.code for problem in refused.value.problems] == [ErrorCode.INSUFFICIENT_STOCK]
    # While waiting for the warehouse row, the add held no row after it (the store).
    assert store_free
