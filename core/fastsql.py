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

import re
from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

_MAX_COMPILED = 512


class Binder:
    """A compiled statement's positional arguments from a parameter mapping.

    What ``SQLCompiler.construct_params`` gives for these statements, worked out once
    per statement instead of on every call (it walks every bind parameter of the
    statement and its escaping and caching cases: several percent of a hot request).
    Statements where its answer can vary by more than the values given (escaped
    names, callable values, post-compile binds) keep calling it.
    """

    __slots__ = ("_compiled", "_names", "_slots")

    def __init__(self, compiled: SQLCompiler) -> None:
        self._compiled = compiled
        self._names = tuple(compiled.positiontup or ())
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        simple = (
            not compiled.escaped_bind_names
            and not compiled.post_compile_params
            and not compiled.literal_execute_params
            and all(name in binds and binds[name].callable is None for name in self._names)
        )
        self._slots: tuple[tuple[str, str, bool, Any], ...] | None = (
            tuple(
                (binds[name].key, name, binds[name].required, binds[name].value)
                for name in self._names
            )
            if simple
            else None
        )

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        slots = self._slots
        if slots is None:
            values = self._compiled.construct_params(parameters) or {}
            return [values[name] for name in self._names]
        arguments: list[Any] = []
        append = arguments.append
        for key, name, required, default in slots:
            if key in parameters:
                append(parameters[key])
            elif name in parameters:
                append(parameters[name])
            elif required:
                raise KeyError(f"A value is required for bind parameter {key!r}")
            else:
                append(default)
        return arguments


class Compiled:
    """A statement compiled once for a dialect: its SQL, its Binder and its row type."""

    __slots__ = ("binder", "names", "row", "sql")

    def __init__(self, compiled: SQLCompiler) -> None:
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        self.binder = Binder(compiled)
        keys = [column[0] for column in compiled._result_columns]
        self.row = namedtuple("Row", keys, rename=True) if keys else None

    def named(self, records: Sequence[Any]) -> list[Any]:
        """The driver's records as named tuples (none for a statement without columns)."""
        row = self.row
        if row is None:
            return []
        return [row(*record) for record in records]


def compiled_for(statement: ClauseElement, dialect: Dialect) -> Compiled:
    """``statement`` compiled for ``dialect``, once per statement object (cached)."""
    return _compile(statement, dialect)[0]


_compiled: dict[tuple[int, str], tuple[ClauseElement, Compiled, SQLCompiler]] = {}


def _compile(statement: ClauseElement, dialect: Dialect) -> tuple[Compiled, SQLCompiler]:
    key = (id(statement), dialect.name)
    found = _compiled.get(key)
    if found is None or found[0] is not statement:
        if len(_compiled) >= _MAX_COMPILED:
            _compiled.clear()
        sa_compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        found = (statement, Compiled(sa_compiled), sa_compiled)
        _compiled[key] = found
    return found[1], found[2]


async def fetch(
    connection: AsyncConnection, statement: ClauseElement, parameters: Mapping[str, Any]
) -> Sequence[Any]:
    """The rows of ``statement`` run in the connection's transaction (named tuples)."""
    if connection.dialect.name != "postgresql":
        result = await connection.execute(cast(Executable, statement), dict(parameters))
        return result.all() if result.returns_rows else []
    compiled, _sa_compiled = _compile(statement, connection.dialect)
    records = await _send(connection, compiled.sql, compiled.binder.arguments(parameters))
    return compiled.named(records)


Part = tuple[ClauseElement, Mapping[str, Any]]


async def fetch_together(
    connection: AsyncConnection, writes: Sequence[Part], last: Part
) -> Sequence[Any]:
    """PostgreSQL: ``writes`` and then ``last`` as one statement, in one round trip.

    Each write becomes a data-modifying ``WITH`` item ahead of ``last`` (whose own
    ``WITH`` items follow them); the rows are ``last``'s. PostgreSQL runs every item to
    completion, all on one snapshot: no part sees what another writes, so the parts
    must write different rows, and none may need another's result. The combined text
    is built once per sequence of statements and cached.
    """
    if connection.dialect.name != "postgresql":
        raise RuntimeError("statements are combined on PostgreSQL only")
    if not writes:
        return await fetch(connection, *last)
    parts = [*writes, last]
    statements = [statement for statement, _ in parts]
    compiled_parts = [_compile(statement, connection.dialect) for statement in statements]
    key = tuple(id(statement) for statement in statements)
    combined = _combined.get(key)
    # By identity: the entry keeps its statements, so their ids are not reused while it
    # lasts (and a ClauseElement's == builds an expression rather than comparing).
    if combined is None or any(a is not b for a, b in zip(combined[0], statements, strict=True)):
        if len(_combined) >= _MAX_COMPILED:
            _combined.clear()
        combined = (statements, _combine(compiled_parts))
        _combined[key] = combined
    arguments: list[Any] = []
    for (compiled, _sa_compiled), (_statement, parameters) in zip(
        compiled_parts, parts, strict=True
    ):
        arguments += compiled.binder.arguments(parameters)
    records = await _send(connection, combined[1], arguments)
    return compiled_parts[-1][0].named(records)


_combined: dict[tuple[int, ...], tuple[list[ClauseElement], str]] = {}
_PLACEHOLDER = re.compile(r"\$(\d+)")


def _combine(compiled_parts: Sequence[tuple[Compiled, SQLCompiler]]) -> str:
    items: list[str] = []
    offset = 0
    for number, (compiled, _sa) in enumerate(compiled_parts[:-1]):
        items.append(f"omnicart_write_{number} AS ({_shifted(compiled.sql, offset)})")
        offset += len(compiled.names)
    last = _shifted(compiled_parts[-1][0].sql, offset).lstrip()
    if last[:5].upper() == "WITH ":
        return "WITH " + ", ".join(items) + ", " + last[5:]
    return "WITH " + ", ".join(items) + " " + last


def _shifted(sql: str, offset: int) -> str:
    # Our statements hold no literal "$<digits>": every value is a bind parameter.
    return _PLACEHOLDER.sub(lambda match: f"${int(match.group(1)) + offset}", sql)


async def _send(connection: AsyncConnection, sql: str, arguments: list[Any]) -> Any:
    fairy = await connection.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    if adapted._transaction is None:  # BEGIN as SQLAlchemy's cursor would
        await adapted._start_transaction()
    sync_connection = connection.sync_connection
    if sync_connection is not None:
        sync_connection.dispatch.before_cursor_execute(
            sync_connection, None, sql, arguments, None, False
        )
    return await adapted.driver_connection.fetch(sql, *arguments)
