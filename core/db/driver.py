"""The statement driver: statements compiled once, sent straight to asyncpg on PostgreSQL.

Building a SQLAlchemy statement and running it through the ORM session costs several
times what asyncpg itself spends on a small statement: every call constructs the
expression, computes its cache key, looks up the compiled form and wraps the cursor in
a result. On the cart-add path (about eight small statements per request) that was
most of a request's CPU. So hot statements are built once (with bind parameters),
compiled once per dialect by the ``StatementDriver`` (the Runtime owns one, with its
bounded cache), and on PostgreSQL sent to the asyncpg connection of the unit of
work's own transaction, or of an autocommit read connection. SQLite keeps
SQLAlchemy's path (its writers are serialised by the database lock anyway, and its
connections run statements inline on the loop: ``core.db.sqlite_writes``).

Rows come back as named tuples on both paths (attribute and index access). SQLAlchemy's
``before_cursor_execute`` listeners still see every statement (statement counters,
tracing). Bind values are passed as they are: these statements take ints, strings,
timezone-aware datetimes and lists, which asyncpg encodes by the casts SQLAlchemy
renders into the SQL.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, cast, runtime_checkable

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

from core.db.chain import (
    GUARD_MESSAGE,
    Chain,
    ChainResult,
    GuardFailed,
    Layout,
    layout_of,
    run_sequential,
)

MAX_COMPILED = 512


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

    __slots__ = ("binder", "keys", "names", "row", "sql")

    def __init__(self, compiled: SQLCompiler) -> None:
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        # The parameter keys the statement binds (and no others may reach SQLAlchemy's
        # execute: it turns a key named like a column into one more SET of an UPDATE).
        self.keys = frozenset(bind.key for bind in compiled.binds.values())
        self.binder = Binder(compiled)
        # Private, and pinned by tests/core/db/test_library_contracts.py: the result
        # columns' keys as SQLAlchemy labels them (no public API names them for text()).
        keys = [column[0] for column in compiled._result_columns]
        self.row = namedtuple("Row", keys, rename=True) if keys else None

    def named(self, records: Sequence[Any]) -> list[Any]:
        """The driver's records as named tuples (none for a statement without columns)."""
        row = self.row
        if row is None:
            return []
        return [row(*record) for record in records]


class StatementDriver:
    """Compiles statements once per dialect and runs them on a connection's driver.

    One per Runtime (``Runtime.statements``): its cache lives as long as the process's
    runtime, bounded by ``max_compiled``. Statements are cached by identity: callers
    build them once (module level or ``functools.cache``) and pass the same object.
    """

    __slots__ = ("_chains", "_compiled", "_max_compiled")

    def __init__(self, *, max_compiled: int = MAX_COMPILED) -> None:
        # By id, holding the statement itself so its id is not reused while cached (a
        # ClauseElement's == builds an expression rather than comparing).
        self._compiled: dict[tuple[int, str], tuple[ClauseElement, Compiled]] = {}
        self._max_compiled = max_compiled
        # Chains' statements by shape and form (core.db.chain): built once.
        self._chains: dict[tuple[str, bool, tuple[str, ...]], Any] = {}

    def compiled(self, statement: ClauseElement, dialect: Dialect) -> Compiled:
        """``statement`` compiled for ``dialect``, once per statement object."""
        key = (id(statement), dialect.name)
        found = self._compiled.get(key)
        if found is None or found[0] is not statement:
            if len(self._compiled) >= self._max_compiled:
                self._compiled.clear()
            found = (statement, Compiled(cast(SQLCompiler, statement.compile(dialect=dialect))))
            self._compiled[key] = found
        return found[1]

    async def fetch(
        self,
        connection: AsyncConnection,
        statement: ClauseElement,
        parameters: Mapping[str, Any],
    ) -> Sequence[Any]:
        """The rows of ``statement`` run in the connection's transaction (named tuples)."""
        compiled = self.compiled(statement, connection.dialect)
        if connection.dialect.name != "postgresql":
            keys = compiled.keys
            given = {key: value for key, value in parameters.items() if key in keys}
            result = await connection.execute(cast(Executable, statement), given)
            return result.all() if result.returns_rows else []
        records = await _send(connection, compiled.sql, compiled.binder.arguments(parameters))
        return compiled.named(records)

    def chain_statements(self, chain: Chain, *, as_one: bool) -> Any:
        """``chain``'s statements, built once per shape: one statement (``as_one``) or
        one per step."""
        key = ("one" if as_one else "steps", as_one, chain.shape)
        found = self._chains.get(key)
        if found is None:
            if len(self._chains) >= self._max_compiled:
                self._chains.clear()
            found = self._chains[key] = chain.chained() if as_one else chain.sequential()
        return found

    def chain_layout(self, chain: Chain, statement: Select[Any]) -> Layout:
        """Where each step's answers stand in the row of ``statement``
        (``chain_statements(chain, as_one=True)``), worked out once per shape."""
        key = ("layout", True, chain.shape)
        found = self._chains.get(key)
        if found is None:
            found = self._chains[key] = layout_of(chain, list(statement.selected_columns.keys()))
        return cast(Layout, found)

    async def run(
        self, connection: AsyncConnection, chain: Chain, parameters: Mapping[str, Any]
    ) -> ChainResult:
        """Run ``chain``'s steps in the connection's transaction: as one statement on
        PostgreSQL, one after another elsewhere. ``GuardFailed`` when a required step
        found its rows changed (on PostgreSQL the transaction is then aborted)."""

        async def fetch(statement: ClauseElement, values: Mapping[str, Any]) -> Sequence[Any]:
            return await self.fetch(connection, statement, values)

        return await self.run_with(fetch, connection.dialect.name, chain, parameters)

    async def run_with(
        self,
        fetch: Callable[[ClauseElement, Mapping[str, Any]], Awaitable[Sequence[Any]]],
        dialect: str,
        chain: Chain,
        parameters: Mapping[str, Any],
    ) -> ChainResult:
        """``run`` with any way of fetching a statement's rows (an autocommit
        connection's: the chain is then a transaction of its own)."""
        if dialect != "postgresql":
            return await run_sequential(
                fetch, chain, self.chain_statements(chain, as_one=False), parameters
            )
        statement = self.chain_statements(chain, as_one=True)
        try:
            (row,) = await fetch(statement, parameters)
        except asyncpg.exceptions.SerializationError as error:  # omnicart_require
            if GUARD_MESSAGE not in str(error):
                raise
            raise GuardFailed("chain") from error
        return self.chain_layout(chain, statement).split(row)


@runtime_checkable
class Fetches(Protocol):
    """Something that runs a statement and gives its rows as named tuples: a unit of
    work (in its transaction) or an autocommit connection (each statement on its own)."""

    async def fetch(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Any]: ...


async def _send(connection: AsyncConnection, sql: str, arguments: list[Any]) -> Any:
    # SQLAlchemy's asyncpg adapter begins its transaction lazily, with the first cursor;
    # a statement sent to asyncpg itself must begin it as that cursor would. These
    # adapter attributes are private: tests/core/db/test_library_contracts.py pins them.
    fairy = await connection.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    if adapted._transaction is None:
        await adapted._start_transaction()
    sync_connection = connection.sync_connection
    if sync_connection is not None:
        sync_connection.dispatch.before_cursor_execute(
            sync_connection, None, sql, arguments, None, False
        )
    return await adapted.driver_connection.fetch(sql, *arguments)
