"""PostgreSQL reads: the async pool in autocommit, hot statements sent to asyncpg itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, Result
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import greenlet_spawn

from core.db.driver import StatementDriver
from core.db.reads import HotPath, Parameters, ReadConnection
from core.outage import is_outage


class AutocommitReads:
    """Reads on the shared async pool, each statement on its own (PostgreSQL)."""

    def __init__(self, engine: AsyncEngine, statements: StatementDriver) -> None:
        self._base = engine
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._statements = statements

    @property
    def statements(self) -> StatementDriver:
        return self._statements

    def connect(self) -> AbstractAsyncContextManager[ReadConnection]:
        return self.autocommit()

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AutocommitConnection]:
        """A pooled connection in autocommit, also for changes made in one statement."""
        # The pooled connection itself: a SQLAlchemy Connection around it is made
        # only when a statement needs SQLAlchemy's path or a listener must see it
        # (building one costs about a third of a one-statement read).
        pooled = await self._engine.raw_connection()
        connection = AutocommitConnection(pooled, self._engine, self._statements)
        try:
            yield connection
        except BaseException as error:
            await connection.close(lost=is_outage(error))
            raise
        await connection.close()

    @property
    def sync_engine(self) -> Engine:
        # The base engine: its listeners also see what runs through the autocommit copy.
        return self._base.sync_engine

    async def dispose(self) -> None:
        return None  # the pool belongs to the writers' engine


class AutocommitConnection(HotPath):
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
        statements: StatementDriver,
    ) -> None:
        self._pooled: PoolProxiedConnection | None = pooled
        self._engine = engine
        self._statements = statements
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
        compiled = self._statements.compiled(statement, self._engine.dialect)
        arguments = compiled.binder.arguments(parameters)
        await self._announce(compiled.sql, arguments)
        return cast(Sequence[Sequence[Any]], await self._driver.fetch(compiled.sql, *arguments))

    async def fetch(self, statement: ClauseElement, parameters: Mapping[str, Any]) -> list[Any]:
        """The rows of ``statement`` as named tuples, as ``StatementDriver.fetch`` gives them.

        Each statement commits by itself (autocommit), so this also serves changes
        made in one statement (``UnitOfWork.commit``). The driver's errors are
        raised as they are (asyncpg's exceptions).
        """
        compiled = self._statements.compiled(statement, self._engine.dialect)
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

    async def close(self, *, lost: bool = False) -> None:
        """Give the connection back to the pool; drop it instead when it was ``lost``
        (an outage was raised through it) or the driver saw the server close it.

        Statements sent straight to asyncpg (``rows``, ``fetch``) bypass SQLAlchemy's
        disconnect handling: a connection that died under them (a database restart)
        would go back to the pool and fail every request that takes it from then on.
        So it is invalidated here, and the pool opens a new one (issue 12). asyncpg
        may not have seen the end of the connection yet when its error is raised (a
        server's last message and its closing the socket are read on separate turns
        of the event loop), hence ``lost``.
        """
        connection, pooled = self._connection, self._pooled
        self._connection = self._pooled = None
        lost = lost or bool(self._driver.is_closed())
        if connection is not None:
            if lost and not connection.invalidated:
                await connection.invalidate()
            await connection.close()  # closes the pooled connection with it
        elif pooled is not None:
            await greenlet_spawn(pooled.invalidate if lost else pooled.close)
