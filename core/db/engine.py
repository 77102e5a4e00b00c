"""The engine and the session factory: SQLite with foreign keys and WAL, PostgreSQL pooled.

Nothing here runs at import time: the composition root (CLI, tests) calls
``create_engine`` with the configured URL and owns the result.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from core.db.driver import StatementDriver
from core.db.metadata import json_dumps
from core.db.postgresql_reads import AutocommitReads
from core.db.reads import Reads
from core.db.sqlite_reads import InlineSQLiteReads
from core.db.sqlite_writes import InlineConnection, inline_creator


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 20, echo: bool = False) -> AsyncEngine:
    """Build the async engine for ``url``; SQLite gets foreign keys and WAL.

    The pool holds ``pool_size`` connections and as many more under bursts; sized
    for the concurrent requests of one worker, so that connections (asyncpg
    backends, aiosqlite threads) are reused rather than opened per request.
    """
    if is_sqlite(url):
        parsed = make_url(url)
        path = parsed.database or ""
        # A database file: statements inline on the loop, in a thread only to wait for
        # the lock (core.db.sqlite_writes). Anything else (memory, URI options): aiosqlite.
        inline = path not in ("", ":memory:") and not parsed.query
        engine = _create_async_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=pool_size,
            json_serializer=json_dumps,
            json_deserializer=orjson.loads,
            **(
                {"async_creator": inline_creator(path, busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS)}
                if inline
                else {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
            ),
        )
        _configure_sqlite(engine)
        return engine
    return _create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        json_serializer=json_dumps,
        json_deserializer=orjson.loads,
    )


# How long a SQLite write waits for another connection's lock (in a worker thread,
# core.db.sqlite_writes) before it fails with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection.driver_connection, InlineConnection):
            return  # inline_creator configured it
        # aiosqlite's DBAPI shim opens transactions itself; we want SQLAlchemy to.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        # Units of work (writes) take SQLite's write lock up front: a deferred
        # transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT when
        # another writer committed in between, and busy_timeout does not retry that.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


# Execution option marking connections that units of work write through.
WRITE_OPTION = "omnicart_write"


# Execution option marking read connections on SQLite (see ``read_engine``).
READ_OPTION = "omnicart_read"


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, for reads that run without BEGIN/ROLLBACK round trips.

    Hot reads are a few SELECTs whose results need not share one snapshot (a
    product changed between the product and variant statements reads as the newer
    variants); skipping the transaction saves two round trips per request. On
    PostgreSQL that is autocommit; SQLite connections already run statements on
    their own (``isolation_level = None``), so the begin hook just sends no BEGIN.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READ_OPTION: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for units of work: write transactions (BEGIN IMMEDIATE on SQLite)."""
    return async_sessionmaker(
        engine.execution_options(**{WRITE_OPTION: True}),
        expire_on_commit=False,
        autoflush=False,
    )


def reads_for(
    engine: AsyncEngine, url: str, *, pool_size: int, statements: StatementDriver | None = None
) -> Reads:
    """The read connections for the database at ``url`` (a new statement driver unless
    one is given: the Runtime shares the reads' driver with its units of work)."""
    statements = statements or StatementDriver()
    if is_sqlite(url) and ":memory:" not in url:
        return InlineSQLiteReads(url, pool_size=pool_size, statements=statements)
    return AutocommitReads(engine, statements)
