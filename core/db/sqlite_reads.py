"""SQLite reads: statements run inline on the event loop, on a pool of sqlite3 connections.

aiosqlite hands every call to a thread of its own and back; for a read of a local
file in WAL mode, which never waits for a writer, that hand-off costs more than the
read (it doubled a listing's CPU). Writes keep using aiosqlite: a write may wait for
the file's lock, and waiting must never block the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Engine, Result, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

from core.db.driver import MAX_COMPILED, StatementDriver
from core.db.metadata import json_dumps
from core.db.reads import HotPath, Parameters, ReadConnection


class InlineSQLiteReads:
    """Reads run synchronously on the loop, on their own pool of SQLite connections."""

    def __init__(self, url: str, *, pool_size: int, statements: StatementDriver) -> None:
        self._statements = statements
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
        if len(self._prepared) >= MAX_COMPILED:
            self._prepared.clear()
        prepared = self._prepared[statement] = _Prepared.of(statement, self._engine.dialect)
        return prepared

    @property
    def sync_engine(self) -> Engine:
        return self._engine

    @property
    def statements(self) -> StatementDriver:
        return self._statements

    async def dispose(self) -> None:
        self._engine.dispose()


def _configure_reader(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    # Never a long wait on the loop: WAL readers only wait during rare recovery.
    cursor.execute("PRAGMA busy_timeout=1000")
    cursor.close()


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


class _InlineConnection(HotPath):
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
