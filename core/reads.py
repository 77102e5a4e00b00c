"""Connections for reads outside units of work (catalog queries, loaders, caches).

Hot reads are a few SELECTs whose results need not share one snapshot, so they
run without a transaction: no BEGIN/ROLLBACK round trips.

- PostgreSQL: the async pool, in autocommit.
- SQLite: statements run inline on the event loop, through a synchronous
  connection pool on the same file. aiosqlite hands every call to a thread of its
  own and back; for a read of a local file in WAL mode, which never waits for a
  writer, that hand-off costs more than the read (it doubled a listing's CPU).
  Writes keep using aiosqlite: a write may wait for the file's lock, and waiting
  must never block the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, cast

import orjson
from sqlalchemy import Engine, Result, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import Executable

from core.db import is_sqlite, json_dumps

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class ReadConnection(Protocol):
    """What read queries need of a connection (an AsyncConnection has it)."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self, statement: Executable, parameters: Parameters = None
    ) -> Result[Any]: ...


class Reads(Protocol):
    def connect(self) -> AbstractAsyncContextManager[ReadConnection]: ...

    @property
    def sync_engine(self) -> Engine:
        """The engine statements run on (for instrumentation: counting statements)."""
        ...

    async def dispose(self) -> None: ...


class AutocommitReads:
    """Reads on the shared async pool, each statement on its own (PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._base = engine
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    def connect(self) -> AbstractAsyncContextManager[ReadConnection]:
        return cast(AbstractAsyncContextManager[ReadConnection], self._engine.connect())

    @property
    def sync_engine(self) -> Engine:
        # The base engine: its listeners also see what runs through the autocommit copy.
        return self._base.sync_engine

    async def dispose(self) -> None:
        return None  # the pool belongs to the writers' engine


class InlineSQLiteReads:
    """Reads run synchronously on the loop, on their own pool of SQLite connections."""

    def __init__(self, url: str, *, pool_size: int) -> None:
        path = url.split(":///", 1)[1] if ":///" in url else ""
        self._engine = create_sync_engine(
            f"sqlite+pysqlite:///{path}",
            isolation_level="AUTOCOMMIT",
            pool_size=pool_size,
            max_overflow=pool_size,
            json_serializer=json_dumps,
            json_deserializer=orjson.loads,
        )
        event.listen(self._engine, "connect", _configure_reader)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ReadConnection]:
        with self._engine.connect() as connection:
            yield _InlineConnection(connection)

    @property
    def sync_engine(self) -> Engine:
        return self._engine

    async def dispose(self) -> None:
        self._engine.dispose()


def _configure_reader(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    # Never a long wait on the loop: WAL readers only wait during rare recovery.
    cursor.execute("PRAGMA busy_timeout=1000")
    cursor.close()


class _InlineConnection:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return cast(Dialect, self._connection.dialect)

    async def execute(self, statement: Executable, parameters: Parameters = None) -> Result[Any]:
        return cast(Result[Any], self._connection.execute(statement, parameters))


def reads_for(engine: AsyncEngine, url: str, *, pool_size: int) -> Reads:
    if is_sqlite(url) and ":memory:" not in url:
        return InlineSQLiteReads(url, pool_size=pool_size)
    return AutocommitReads(engine)
