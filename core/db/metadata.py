"""The one metadata every table registers with, and the column types shared by tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.engine import Dialect
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


class JSONList(TypeDecorator[Sequence[Any]]):
    """A list bound as one JSON array (for SQLite's ``json_each``)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Sequence[Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else json_dumps(list(value))


class JSONText(TypeDecorator[str]):
    """A JSON column's value bound as text the caller serialised (``json_dumps``).

    The statement driver sends values straight to asyncpg (``core.db.driver``),
    skipping SQLAlchemy's bind processing, so a JSON value must already be text there;
    this type makes SQLAlchemy's own path (SQLite) take the same text instead of
    serialising it a second time. On PostgreSQL it renders as a JSON cast.
    """

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


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
    items = func.json_each(bindparam(name, type_=JSONList())).table_valued("value")
    return column.in_(select(items.c.value))


def json_dumps(value: Any) -> str:
    # orjson is several times faster than json for the JSON columns read on hot paths.
    return orjson.dumps(value).decode()


def table_of(mapped: type[Base]) -> Table:
    """The Core ``Table`` behind a mapped class (typed, for insert/update statements)."""
    table = mapped.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{mapped.__name__} is not mapped to a table")
    return table
