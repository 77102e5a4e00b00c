"""What core/db relies on in SQLAlchemy and asyncpg beyond their public API.

Each test names the library, its version and the attribute, so that an upgrade that
changes one fails here with a clear message instead of somewhere in a cart add. The
pins in pyproject.toml are raised only after these pass on the new version.
"""

from __future__ import annotations

from typing import Any, cast

import pytest
import sqlalchemy
from sqlalchemy import BigInteger, bindparam, column, select, text
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.dialects.sqlite import aiosqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from core.catalog.tables import VariantRow
from core.db import table_of
from core.db.driver import Compiled
from core.runtime import Runtime

variants = table_of(VariantRow)


def require(condition: bool, what: str) -> None:
    if not condition:
        pytest.fail(
            f"SQLAlchemy {sqlalchemy.__version__}: {what}. core/db/driver.py relies on it; "
            "adapt the driver and this test before raising the pin in pyproject.toml."
        )


def dialect_of(module: Any) -> Dialect:
    # The dialect classes' constructors are untyped.
    return cast(Dialect, module.dialect())


@pytest.mark.parametrize(
    "dialect", [dialect_of(asyncpg), dialect_of(aiosqlite)], ids=["asyncpg", "aiosqlite"]
)
def test_compiled_statements_still_expose_what_the_binder_reads(dialect: Dialect) -> None:
    statement = select(variants.c.id, variants.c.sku).where(
        variants.c.id == bindparam("variant_id", type_=BigInteger())
    )

    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)

    for attribute in (
        "positiontup",
        "bind_names",
        "binds",
        "escaped_bind_names",
        "post_compile_params",
        "literal_execute_params",
        "_result_columns",
    ):
        require(hasattr(compiled, attribute), f"SQLCompiler has no attribute {attribute!r}")
    require(
        [entry[0] for entry in compiled._result_columns] == ["id", "sku"],
        "SQLCompiler._result_columns no longer starts each entry with the column's key",
    )
    require(
        Compiled(compiled).binder.arguments({"variant_id": 7}) == [7],
        "a compiled statement's positional binds are no longer positiontup's",
    )


def test_textual_statements_name_their_declared_columns() -> None:
    statement = text("SELECT 1 AS done, 2 AS other").columns(column("done"), column("other"))

    sa_compiled = statement.compile(dialect=dialect_of(asyncpg))
    assert isinstance(sa_compiled, SQLCompiler)
    compiled = Compiled(sa_compiled)

    require(
        getattr(compiled.row, "_fields", None) == ("done", "other"),
        "TextualSelect columns no longer reach SQLCompiler._result_columns",
    )


async def test_the_asyncpg_adapter_still_begins_its_transaction_lazily(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("the asyncpg adapter is PostgreSQL's")
    async with runtime.sessions() as session:
        connection = await session.connection()

        adapted: Any = (await connection.get_raw_connection()).dbapi_connection

        require(hasattr(adapted, "_transaction"), "the asyncpg adapter has no _transaction")
        require(adapted._transaction is None, "the asyncpg adapter no longer begins lazily")
        require(
            callable(getattr(adapted, "_start_transaction", None)),
            "the asyncpg adapter has no _start_transaction()",
        )
        await adapted._start_transaction()
        require(adapted._transaction is not None, "_start_transaction() began no transaction")
        require(hasattr(adapted, "driver_connection"), "the adapter has no driver_connection")
        await session.rollback()


async def test_cursor_listeners_are_reachable_through_the_connections_dispatch(
    runtime: Runtime,
) -> None:
    seen: list[str] = []

    def listen(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sqlalchemy.event.listen(runtime.engine.sync_engine, "before_cursor_execute", listen)
    try:
        async with runtime.engine.connect() as connection:
            sync = connection.sync_connection
            assert sync is not None

            sync.dispatch.before_cursor_execute(sync, None, "SELECT 42", [], None, False)
    finally:
        sqlalchemy.event.remove(runtime.engine.sync_engine, "before_cursor_execute", listen)

    require(
        seen == ["SELECT 42"], "Connection.dispatch.before_cursor_execute no longer calls listeners"
    )
