"""Engine, session factory and the one metadata every table registers with.

Nothing here runs at import time: the composition root (CLI, tests) calls
``create_engine`` with the configured URL and owns the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names so that Alembic migrations are the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments an INTEGER PRIMARY KEY, so BIGINT keys fall back to INTEGER there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = metadata


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use the clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class _JSONList(TypeDecorator[Sequence[Any]]):
    """A list bound as one JSON array (for SQLite's ``json_each``)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Sequence[Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else json_dumps(list(value))


def in_bound_list(
    column: ColumnElement[Any], name: str, dialect: str, item_type: Any
) -> ColumnElement[bool]:
    """``column IN`` the list bound as ``name``, one parameter whatever its length.

    So the SQL text never changes and is compiled once: PostgreSQL takes an array
    (``= ANY``), SQLite a JSON array read by ``json_each`` (SQLAlchemy's expanding IN
    would render one parameter per item, and new SQL for every length).
    """
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(item_type)))
    items = func.json_each(bindparam(name, type_=_JSONList())).table_valued("value")
    return column.in_(select(items.c.value))


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 20, echo: bool = False) -> AsyncEngine:
    """Build the async engine for ``url``; SQLite gets foreign keys and WAL.

    The pool holds ``pool_size`` connections and as many more under bursts; sized
    for the concurrent requests of one worker, so that connections (asyncpg
    backends, aiosqlite threads) are reused rather than opened per request.
    """
    if is_sqlite(url):
        engine = _create_async_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=pool_size,
            connect_args={"timeout": 30},
            json_serializer=json_dumps,
            json_deserializer=orjson.loads,
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


def json_dumps(value: Any) -> str:
    # orjson is several times faster than json for the JSON columns read on hot paths.
    return orjson.dumps(value).decode()


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite's DBAPI shim opens transactions itself; we want SQLAlchemy to.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
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


def table_of(mapped: type[Base]) -> Table:
    """The Core ``Table`` behind a mapped class (typed, for insert/update statements)."""
    table = mapped.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{mapped.__name__} is not mapped to a table")
    return table
