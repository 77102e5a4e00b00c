"""An outage is recognised whichever layer raised it, from the libraries' real exceptions;
what a database says about a request (a lock, a constraint) is not an outage."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.ext.asyncio import create_async_engine

from core.outage import describe, is_outage, outage_cause
from tests.factories import postgres_dsn, terminate_backends


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A local port bound without listening: every connection to it is refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


def raised_from(cause: BaseException, wrapper: BaseException) -> BaseException:
    """``wrapper`` as ``raise wrapper from cause`` leaves it."""
    try:
        raise wrapper from cause
    except BaseException as error:  # the point: the exception as raised
        return error


async def test_a_refused_connection_is_an_outage_through_asyncpg_and_sqlalchemy(
    refusing_port: int,
) -> None:
    with pytest.raises(OSError) as from_asyncpg:
        await asyncpg.connect(host="127.0.0.1", port=refusing_port, user="nobody", timeout=5)
    engine = create_async_engine(f"postgresql+asyncpg://nobody@127.0.0.1:{refusing_port}/none")
    try:
        with pytest.raises(OSError) as from_sqlalchemy:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()

    assert is_outage(from_asyncpg.value)
    assert is_outage(from_sqlalchemy.value)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.ConnectionDoesNotExistError(
            "connection was closed in the middle of operation"
        ),
        asyncpg.exceptions.AdminShutdownError(
            "terminating connection due to administrator command"
        ),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.ConnectionFailureError("connection failure"),
        asyncpg.exceptions.InterfaceError("connection is closed"),
        exc.DisconnectionError("the pool found the connection dead"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_the_driver_and_pool_errors_of_a_lost_connection_are_outages(
    error: BaseException,
) -> None:
    assert outage_cause(error) is error


def test_an_outage_is_found_under_the_exceptions_raised_from_it() -> None:
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    wrapped = raised_from(lost, RuntimeError("the add failed"))
    try:
        try:
            raise lost
        except asyncpg.PostgresError:
            raise KeyError("raised while handling it") from None
    except KeyError as error:
        handled = error

    assert outage_cause(wrapped) is lost
    # `from None` hides the context from tracebacks; it is still where it came from.
    assert outage_cause(handled) is lost


async def test_a_connection_sqlalchemy_invalidated_is_an_outage_without_leaking_sql(
    tmp_path: Path,
) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'closed.db'}")
    try:
        with pytest.raises(exc.DBAPIError) as raised:
            async with engine.connect() as connection:
                driver = (await connection.get_raw_connection()).driver_connection
                assert driver is not None
                await driver.close()  # aiosqlite's connection, under SQLAlchemy's feet
                await connection.execute(text("SELECT 'secret-token'"))
    finally:
        await engine.dispose()

    assert raised.value.connection_invalidated
    assert outage_cause(raised.value) is raised.value
    assert "secret-token" not in describe(raised.value)


def test_a_locked_sqlite_database_is_not_an_outage(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    holder = create_engine(url)
    waiter = create_engine(url, connect_args={"timeout": 0})
    with holder.connect() as holding:
        holding.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(exc.OperationalError) as raised, waiter.connect() as waiting:
            waiting.exec_driver_sql("BEGIN IMMEDIATE")
        holding.exec_driver_sql("ROLLBACK")
    holder.dispose()
    waiter.dispose()

    assert isinstance(raised.value.orig, sqlite3.OperationalError)
    assert "locked" in str(raised.value.orig)
    assert not is_outage(raised.value)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value"),
        asyncpg.exceptions.InterfaceError(
            "cannot perform operation: another operation is in progress"
        ),
        asyncpg.exceptions.InternalClientError("unexpected error in the protocol"),
        ValueError("not a database error"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_about_the_request_or_our_code_are_not_outages(error: BaseException) -> None:
    assert not is_outage(error)


def test_a_log_names_the_drivers_error_and_never_the_statement() -> None:
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    statement = raised_from(
        lost, exc.InterfaceError("SELECT * FROM carts WHERE token = $1", ("omct_x",), lost)
    )

    assert describe(outage_cause(statement) or statement) == (
        "ConnectionDoesNotExistError: connection was closed"
    )


# --------------------------------------------------------------------------
# PostgreSQL: what asyncpg does when the server hangs up (a contract test)
# --------------------------------------------------------------------------


@pytest.fixture
async def postgres(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(postgres_dsn(database_url))
    yield connection
    connection.terminate()


def fatal_message(code: str, message: str) -> bytes:
    """A server's ErrorResponse of severity FATAL, as the protocol sends it."""
    fields = b"".join(
        kind + value.encode() + b"\0"
        for kind, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))
    )
    body = fields + b"\0"
    return b"E" + (len(body) + 4).to_bytes(4, "big") + body


async def test_a_statement_sent_after_the_server_said_goodbye_is_an_outage(
    postgres: asyncpg.Connection,
) -> None:
    # A restart (or pg_terminate_backend) sends this to an idle connection and then
    # closes the socket; asyncpg reads the two on separate turns of the event loop.
    # In between, a statement meets the error core.outage recognises by its message.
    farewell = fatal_message("57P01", "terminating connection due to administrator command")
    postgres._protocol.data_received(farewell)

    with pytest.raises(asyncpg.exceptions.InternalClientError) as raised:
        await postgres.fetch("SELECT 1")

    assert is_outage(raised.value)


async def test_a_statement_on_a_terminated_backend_is_an_outage(
    postgres: asyncpg.Connection, database_url: str
) -> None:
    terminated = await terminate_backends(postgres_dsn(database_url), [postgres.get_server_pid()])

    # Which error depends on how much of the hang-up asyncpg has read by then.
    with pytest.raises(Exception) as raised:
        await postgres.fetch("SELECT 1")

    assert terminated == [True]
    assert is_outage(raised.value)
