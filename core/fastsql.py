"""Hot write statements inside a unit of work, sent straight to the driver on PostgreSQL.

Building a SQLAlchemy statement and running it through the ORM session costs several
times what asyncpg itself spends on a small statement: every call constructs the
expression, computes its cache key, looks up the compiled form and wraps the cursor in
a result. On the cart-add path (about eight small statements per request) that was
most of a request's CPU. So hot statements are built once (module level or per
dialect, with bind parameters), compiled once per dialect, and on PostgreSQL sent to
the asyncpg connection of the unit of work's own transaction. SQLite keeps
SQLAlchemy's path (its writers are serialised by the database lock anyway).

Rows come back as named tuples on both paths (attribute and index access). SQLAlchemy's
``before_cursor_execute`` listeners still see every statement (statement counters,
tracing). Bind values are passed as they are: these statements take ints, strings,
timezone-aware datetimes and lists, which asyncpg encodes by the casts SQLAlchemy
renders into the SQL.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

_MAX_COMPILED = 512


class _Compiled:
    __slots__ = ("names", "row", "sql")

    def __init__(self, compiled: SQLCompiler) -> None:
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        keys = [column[0] for column in compiled._result_columns]
        self.row = namedtuple("Row", keys, rename=True) if keys else None


_compiled: dict[tuple[int, str], tuple[ClauseElement, _Compiled, SQLCompiler]] = {}


def _compile(statement: ClauseElement, dialect: Dialect) -> tuple[_Compiled, SQLCompiler]:
    key = (id(statement), dialect.name)
    found = _compiled.get(key)
    if found is None or found[0] is not statement:
        if len(_compiled) >= _MAX_COMPILED:
            _compiled.clear()
        sa_compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        found = (statement, _Compiled(sa_compiled), sa_compiled)
        _compiled[key] = found
    return found[1], found[2]


async def fetch(
    connection: AsyncConnection, statement: ClauseElement, parameters: Mapping[str, Any]
) -> Sequence[Any]:
    """The rows of ``statement`` run in the connection's transaction (named tuples)."""
    if connection.dialect.name != "postgresql":
        result = await connection.execute(cast(Executable, statement), dict(parameters))
        return result.all() if result.returns_rows else []
    compiled, sa_compiled = _compile(statement, connection.dialect)
    values = sa_compiled.construct_params(parameters) or {}
    arguments = [values[name] for name in compiled.names]
    fairy = await connection.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    if adapted._transaction is None:  # BEGIN as SQLAlchemy's cursor would
        await adapted._start_transaction()
    sync_connection = connection.sync_connection
    if sync_connection is not None:
        sync_connection.dispatch.before_cursor_execute(
            sync_connection, None, compiled.sql, arguments, None, False
        )
    records = await adapted.driver_connection.fetch(compiled.sql, *arguments)
    row = compiled.row
    if row is None:
        return []
    return [row(*record) for record in records]
