"""Reads outside units of work (catalog queries, loaders, caches): what they need of a
connection, and the fast path both databases' read connections offer.

Hot reads are a few SELECTs whose results need not share one snapshot, so they
run without a transaction: no BEGIN/ROLLBACK round trips. PostgreSQL reads use the
async pool in autocommit (``core.db.postgresql_reads``); SQLite reads run inline on
the event loop (``core.db.sqlite_reads``). On both, the hot statements
(``fetch_rows``) are compiled once and sent to the driver itself, with SQLAlchemy's
own type conversions applied: SQLAlchemy's execution path costs more than the
driver's work for the small statements of a listing. ``core.db.engine.reads_for``
picks the connections for a database URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, cast

from sqlalchemy import Engine, Result
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.expression import Executable

from core.db.driver import Fetches, StatementDriver

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
    if isinstance(connection, HotPath):
        return await connection.rows(statement, parameters)
    return (await connection.execute(cast(Executable, statement), parameters)).all()


async def fetch_named(
    connection: ReadConnection, statement: ClauseElement, parameters: Mapping[str, Any]
) -> Sequence[Any]:
    """The rows of a statement built once, with attribute access: through the
    connection's statement driver where it has one (``fetch``: autocommit reads on
    PostgreSQL, a unit of work's ``InTransaction``), else SQLAlchemy's own path."""
    if isinstance(connection, Fetches):
        return await connection.fetch(statement, parameters)
    return (await connection.execute(cast(Executable, statement), parameters)).all()


class InTransaction:
    """A unit of work's connection as a read connection (``UnitOfWork.reads``): reads
    of statements built once go through the statement driver in its transaction."""

    def __init__(self, connection: AsyncConnection, statements: StatementDriver) -> None:
        self._connection = connection
        self._statements = statements

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    async def execute(self, statement: Executable, parameters: Parameters = None) -> Result[Any]:
        return await self._connection.execute(statement, parameters)

    async def fetch(self, statement: ClauseElement, parameters: Mapping[str, Any]) -> Sequence[Any]:
        return await self._statements.fetch(self._connection, statement, parameters)


class Reads(Protocol):
    def connect(self) -> AbstractAsyncContextManager[ReadConnection]: ...

    @property
    def sync_engine(self) -> Engine:
        """The engine statements run on (for instrumentation: counting statements)."""
        ...

    @property
    def statements(self) -> StatementDriver:
        """The runtime's statement driver (its compiled-statement cache)."""
        ...

    async def dispose(self) -> None: ...


class HotPath:
    """Marks connections with a ``rows`` fast path."""

    async def rows(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Sequence[Any]]:
        raise NotImplementedError
