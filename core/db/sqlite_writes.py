"""SQLite writes: statements run inline on the event loop, moved to a thread only to wait.

SQLAlchemy's aiosqlite dialect talks to an aiosqlite connection, which runs every call
(a cursor, an execute, a fetch, a close: four per statement) in a thread of its own
and hands the result back to the loop. A cart add is about ten statements, so forty
hand-offs, and on this machine they were most of the add's CPU (measured with
``python -m benchmarks profile --query M1``: 8.5 ms per add, about 1 ms of it Python on
the loop). SQLite itself answers these statements in microseconds: in WAL mode a
reader never waits, and a writer waits only for another writer's lock.

So the engine gets this module's ``InlineConnection`` instead (``create_async_engine``'s
``async_creator``): the same calls, made at once on the loop, on a sqlite3 connection
whose busy timeout is zero. When SQLite answers SQLITE_BUSY (another connection holds
the write lock: another process, or a writer outside the units of work, which queue
in process, see ``core.uow.WriterQueue``), the same call is made again in a worker
thread with the real busy timeout, so waiting for a lock never blocks the loop. SQLite
guarantees that a statement that returned SQLITE_BUSY did nothing, so it can be made
again.

What this does block: the loop, for as long as SQLite works on a statement. The
server's statements are small; a long one (a bulk import of a large catalog) holds the
loop for its duration, as the inline reads of ``core.db.sqlite_reads`` do.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

# SQLite's primary result code for "another connection holds the lock".
_SQLITE_BUSY: Final = 5

T = TypeVar("T")


class InlineConnection:
    """The part of ``aiosqlite.Connection`` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection, *, busy_timeout_ms: int) -> None:
        # Read by SQLAlchemy's adapter (``if self._connection._connection``) before a
        # commit or rollback, as it reads aiosqlite's attribute of the same name.
        self._connection: sqlite3.Connection | None = connection
        self._busy_timeout_ms = busy_timeout_ms

    @property
    def raw(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    async def call(self, function: Callable[..., T], *arguments: Any) -> T:
        """``function(*arguments)`` now; in a thread, waiting for the lock, when busy."""
        try:
            return function(*arguments)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != _SQLITE_BUSY:
                raise
        return await asyncio.to_thread(self._waiting, function, arguments)

    def _waiting(self, function: Callable[..., T], arguments: tuple[Any, ...]) -> T:
        raw = self.raw
        raw.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        try:
            return function(*arguments)
        finally:
            raw.execute("PRAGMA busy_timeout=0")

    def cursor(self) -> InlineCursor:
        return InlineCursor(self, self.raw.cursor())

    async def commit(self) -> None:
        await self.call(self.raw.commit)

    async def rollback(self) -> None:
        await self.call(self.raw.rollback)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close now (SQLAlchemy's forced termination)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    async def create_function(self, *arguments: Any, **options: Any) -> None:
        self.raw.create_function(*arguments, **options)

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        cursor = self.cursor()
        await cursor.execute(sql, parameters)
        return cursor

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    @property
    def total_changes(self) -> int:
        return self.raw.total_changes


class InlineCursor:
    """The part of ``aiosqlite.Cursor`` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: InlineConnection, cursor: sqlite3.Cursor) -> None:
        self._owner = connection
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        await self._owner.call(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)  # an iterator could not be given a second time
        await self._owner.call(self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return await self._owner.call(self._cursor.fetchone)

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self._cursor.arraysize if size is None else size
        return await self._owner.call(self._cursor.fetchmany, size)

    async def fetchall(self) -> list[Any]:
        return await self._owner.call(self._cursor.fetchall)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


def inline_creator(path: str, *, busy_timeout_ms: int) -> Callable[[], Any]:
    """``create_async_engine``'s ``async_creator`` for the database file at ``path``:
    connections in autocommit mode (SQLAlchemy sends BEGIN itself), WAL, foreign keys."""

    def open_connection() -> sqlite3.Connection:
        connection = sqlite3.connect(
            path,
            timeout=busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,  # a call that waits for the lock runs in a thread
        )
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA journal_mode=WAL")  # may wait: the first switch locks
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=0")
        return connection

    async def connect() -> InlineConnection:
        # Opening is rare (the pool keeps connections) and may wait: in a thread.
        connection = await asyncio.to_thread(open_connection)
        return InlineConnection(connection, busy_timeout_ms=busy_timeout_ms)

    return connect
