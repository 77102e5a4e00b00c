"""SQLite connections run statements on the loop and wait for a lock in a thread.

These use a database file of their own (whichever database the suite runs on).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import WRITE_OPTION, create_engine
from core.db.sqlite_writes import InlineConnection, inline_creator


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'writes.db'}", pool_size=2)

    @event.listens_for(engine.sync_engine, "connect")
    def _thread_function(dbapi_connection: Any, _record: Any) -> None:
        raw = dbapi_connection.driver_connection.raw
        raw.create_function("thread_id", 0, threading.get_ident)

    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield engine
    await engine.dispose()


async def test_statements_of_a_write_transaction_run_on_the_loops_thread(
    sqlite_engine: AsyncEngine,
) -> None:
    async with sqlite_engine.connect() as connection:
        writing = await connection.execution_options(**{WRITE_OPTION: True})
        async with writing.begin():
            await writing.execute(text("INSERT INTO t VALUES (thread_id())"))
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineConnection)

    async with sqlite_engine.connect() as connection:
        (ran_on,) = (await connection.execute(text("SELECT x FROM t"))).one()
    assert ran_on == threading.get_ident()


async def test_a_write_waits_for_another_connections_lock_without_blocking_the_loop(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    holder = sqlite3.connect(tmp_path / "writes.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with sqlite_engine.connect() as connection:
            writing = await connection.execution_options(**{WRITE_OPTION: True})
            async with writing.begin():
                await writing.execute(text("INSERT INTO t VALUES (1)"))

    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    writer = asyncio.create_task(write())
    ticker = asyncio.create_task(tick())
    try:
        await asyncio.sleep(0.3)
        assert not writer.done()  # waiting for the lock...
        assert ticks >= 10  # ...while the loop went on
        holder.execute("COMMIT")
        await asyncio.wait_for(writer, 10)
    finally:
        ticker.cancel()
        holder.close()

    async with sqlite_engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1


async def test_a_write_gives_up_after_the_busy_timeout_and_stops_waiting_after(
    tmp_path: Path,
) -> None:
    path = tmp_path / "timeout.db"
    sqlite3.connect(path).close()
    connection: InlineConnection = await inline_creator(str(path), busy_timeout_ms=200)()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await connection.execute("BEGIN IMMEDIATE")
        assert time.monotonic() - started >= 0.2
        cursor = await connection.execute("PRAGMA busy_timeout")
        assert await cursor.fetchone() == (0,)  # inline calls never wait
    finally:
        holder.close()
        await connection.close()
