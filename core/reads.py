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

On both, the hot statements (``fetch_rows``) are compiled once and sent to the
driver itself, with SQLAlchemy's own type conversions applied: SQLAlchemy's
execution path costs more than the driver's work for the small statements of a
listing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, cast

import orjson
from sqlalchemy import Connection, Engine, Result, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import greenlet_spawn

from core.db import is_sqlite, json_dumps
from core.fastsql import Binder, compiled_for

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class ReadConnection(Protocol):
    """What read queries need of a connection (an AsyncConnection has it)."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self, statement: Executable, parameters: Parameters = None
    ) -> Result[Any]: ...


async def fetch_rows(
    connection: ReadConnection, statement: ClauseElement, parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """``connection.rows`` where the connection has it, else the rows of ``execute``."""
    if isinstance(connection, _HotPath):
        return await connection.rows(statement, parameters)
    return (await connection.execute(cast(Executable, statement), parameters)).all()


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

        # SQLCompiler SQL of the hot statements, by statement (they live as long as the
        # process); bounded in case a caller passes fresh statements.
        self._compiled: dict[ClauseElement, tuple[SQLCompiler, Binder]] = {}

    def connect(self) -> AbstractAsyncContextManager[ReadConnection]:
        return self.autocommit()

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AutocommitConnection]:
        """A pooled connection in autocommit, also for changes made in one statement."""
        # The pooled connection itself: a SQLAlchemy Connection around it is made
        # only when a statement needs SQLAlchemy's path or a listener must see it
        # (building one costs about a third of a one-statement read).
        pooled = await self._engine.raw_connection()
        connection = AutocommitConnection(pooled, self._engine, self._compile)
        try:
            yield connection
        finally:
            await connection.close()

    def _compile(self, statement: ClauseElement) -> tuple[SQLCompiler, Binder]:
        found = self._compiled.get(statement)
        if found is None:
            if len(self._compiled) >= _MAX_COMPILED:
                self._compiled.clear()
            compiled = cast(SQLCompiler, statement.compile(dialect=self._base.dialect))
            found = (compiled, Binder(compiled))
            self._compiled[statement] = found
        return found

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
        # Hot statements prepared for sqlite3, by statement (None: not preparable);
        # bounded in case a caller passes fresh statements.
        self._prepared: dict[ClauseElement, _Prepared | None] = {}

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ReadConnection]:
        with self._engine.connect() as connection:
            yield _InlineConnection(connection, self._prepare)

    def _prepare(self, statement: ClauseElement) -> _Prepared | None:
        try:
            return self._prepared[statement]
        except KeyError:
            pass
        if len(self._prepared) >= _MAX_COMPILED:
            self._prepared.clear()
        prepared = self._prepared[statement] = _Prepared.of(statement, self._engine.dialect)
        return prepared

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


_MAX_COMPILED = 512


class _HotPath:
    """Marks connections with a ``rows`` fast path."""

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        raise NotImplementedError


class AutocommitConnection(_HotPath):
    """An autocommit connection whose hot statements go straight to asyncpg.

    SQLAlchemy's execution path (context, result metadata, row processing) costs
    about three times the driver's own work for the small statements of a product
    page; ``rows`` sends the statement's SQL, compiled once, to asyncpg itself.
    The JSON codec SQLAlchemy installed on the connection still decodes JSON.
    """

    def __init__(
        self,
        pooled: PoolProxiedConnection,
        engine: AsyncEngine,
        compile_: Callable[[ClauseElement], tuple[SQLCompiler, Binder]],
    ) -> None:
        self._pooled: PoolProxiedConnection | None = pooled
        self._engine = engine
        self._compile = compile_
        self._driver: Any = pooled.driver_connection
        # SQLAlchemy's Connection over the same pooled connection, made on demand.
        self._connection: AsyncConnection | None = None

    @property
    def dialect(self) -> Dialect:
        return self._engine.dialect

    async def _wrapped(self) -> AsyncConnection:
        if self._connection is None:
            pooled = self._pooled
            if pooled is None:
                raise RuntimeError("the read connection is closed")
            # Made on the greenlet bridge: joining the engine's events sets the
            # connection's AUTOCOMMIT isolation level, as engine.connect() would.
            sync = await greenlet_spawn(Connection, self._engine.sync_engine, pooled)
            self._connection = AsyncConnection(self._engine, sync)
        return self._connection

    async def execute(self, statement: Executable, parameters: Parameters = None) -> Result[Any]:
        connection = await self._wrapped()
        return await connection.execute(statement, parameters)

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        compiled, binder = self._compile(statement)
        arguments = binder.arguments(parameters)
        await self._announce(compiled.string, arguments)
        return cast(Sequence[Sequence[Any]], await self._driver.fetch(compiled.string, *arguments))

    async def fetch(self, statement: ClauseElement, parameters: Mapping[str, Any]) -> list[Any]:
        """The rows of ``statement`` as named tuples, as ``core.fastsql.fetch`` gives them.

        Each statement commits by itself (autocommit), so this also serves changes
        made in one statement (``UnitOfWork.at_once``). The driver's errors are
        raised as they are (asyncpg's exceptions).
        """
        compiled = compiled_for(statement, self._engine.dialect)
        arguments = compiled.binder.arguments(parameters)
        await self._announce(compiled.sql, arguments)
        return compiled.named(await self._driver.fetch(compiled.sql, *arguments))

    async def _announce(self, sql: str, arguments: Sequence[Any]) -> None:
        # Listeners of SQLAlchemy's cursor events (statement counters, tracing) still
        # see the statement, as they would have on SQLAlchemy's own path.
        if self._engine.sync_engine.dispatch.before_cursor_execute:
            sync_connection = (await self._wrapped()).sync_connection
            if sync_connection is not None:
                sync_connection.dispatch.before_cursor_execute(
                    sync_connection, None, sql, arguments, None, False
                )

    async def close(self) -> None:
        """Give the connection back to the pool."""
        connection, pooled = self._connection, self._pooled
        self._connection = self._pooled = None
        if connection is not None:
            await connection.close()  # closes the pooled connection with it
        elif pooled is not None:
            await greenlet_spawn(pooled.close)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A statement compiled once for sqlite3, with SQLAlchemy's conversions for it."""

    sql: str
    compiled: SQLCompiler
    # Positional parameters: each name with its type's bind conversion, if any.
    parameters: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    # The result columns whose type converts values (JSON, datetimes), by position.
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> _Prepared | None:
        """None for what SQLAlchemy must render per execution (an expanding IN)."""
        columns = getattr(statement, "selected_columns", None)
        if columns is None:
            return None
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        if compiled.post_compile_params or compiled.literal_execute_params:
            return None
        # The conversions SQLAlchemy applies itself (TypeEngine._cached_*_processor).
        parameters = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup or ()
        )
        conversions = tuple(
            (position, process)
            for position, column in enumerate(columns)
            if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))
        )
        return cls(compiled.string, compiled, parameters, conversions)


class _InlineConnection(_HotPath):
    def __init__(
        self, connection: Any, prepare: Callable[[ClauseElement], _Prepared | None]
    ) -> None:
        self._connection = connection
        self._prepare = prepare

    @property
    def dialect(self) -> Dialect:
        return cast(Dialect, self._connection.dialect)

    async def execute(self, statement: Executable, parameters: Parameters = None) -> Result[Any]:
        return cast(Result[Any], self._connection.execute(statement, parameters))

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        prepared = self._prepare(statement)
        if prepared is None:
            return self._connection.execute(statement, parameters).all()  # type: ignore[no-any-return]
        values = prepared.compiled.construct_params(parameters) or {}
        arguments = [
            values[name] if process is None else process(values[name])
            for name, process in prepared.parameters
        ]
        connection = self._connection
        # Listeners of SQLAlchemy's cursor events (statement counters, tracing) still
        # see the statement, as they would have on SQLAlchemy's own path.
        connection.dispatch.before_cursor_execute(
            connection, None, prepared.sql, arguments, None, False
        )
        rows: list[Any] = connection.connection.driver_connection.execute(
            prepared.sql, arguments
        ).fetchall()
        conversions = prepared.conversions
        if not conversions:
            return rows
        converted: list[list[Any]] = []
        for row in rows:
            converted_row = list(row)
            for position, process in conversions:
                converted_row[position] = process(converted_row[position])
            converted.append(converted_row)
        return converted


def reads_for(engine: AsyncEngine, url: str, *, pool_size: int) -> Reads:
    if is_sqlite(url) and ":memory:" not in url:
        return InlineSQLiteReads(url, pool_size=pool_size)
    return AutocommitReads(engine)
