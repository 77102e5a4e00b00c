"""Whether an exception means the database is unreachable or dropped the connection.

One place recognises an outage (a restart, a failover, a terminated backend, a refused
connection), whichever layer raised it: SQLAlchemy wraps the driver's errors, while
hot paths send statements straight to asyncpg (``core.db.driver``,
``core.db.postgresql_reads``) and get asyncpg's own. The GraphQL layer answers such a
request with ``DATABASE_UNAVAILABLE`` (issue 12): nothing in the request was wrong,
and a retry with the same idempotency key applies the change at most once.

On SQLite the database is a local file: "database is locked" is contention (waited
out by ``busy_timeout``) and a file that cannot be opened is a deployment fault, so
neither counts as an outage here; they stay unexpected errors.
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
from sqlalchemy import exc

# A server that went away, as the driver says it: asyncpg's SQLSTATE class 08
# (connection exception: the connection does not exist, failed, was refused by the
# server) and class 57P (57P01 admin shutdown, which a fast restart or
# ``pg_terminate_backend`` sends to every backend; 57P02 crash shutdown; 57P03 cannot
# connect now, while the server starts up or shuts down); and the socket's own
# ``OSError`` (refused, reset, unreachable host, timed out), which SQLAlchemy passes
# on unwrapped when it is raised while connecting.
_DRIVER_LOST: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    OSError,
)

# asyncpg raises its InterfaceError with this message for a connection it already
# knows is closed; its other InterfaceErrors are misuse (an operation in progress).
_CLOSED_MESSAGE = "connection is closed"

# And its InternalClientError with this one for a statement sent on a connection whose
# server said goodbye while it was idle: the server's last message (the FATAL of an
# admin shutdown, sent by a restart or ``pg_terminate_backend``) leaves the protocol in
# state 2 (PROTOCOL_ERROR_CONSUME), and the closed socket is only read on a later turn
# of the event loop. Nothing else we know of leaves an idle connection in that state.
# tests/core/test_outage.py pins it.
_SERVER_HUNG_UP_MESSAGE = "another operation (2) is in progress"


def outage_cause(error: BaseException) -> BaseException | None:
    """The exception in ``error``'s chain that shows the database unreachable, or None.

    Follows ``__cause__`` (else ``__context__``) from ``error`` down. Driver-level
    evidence is preferred, so that a log names the driver's error: asyncpg's
    connection errors, its "connection is closed" (and the error it gives a
    statement sent just after the server hung up), or the socket's ``OSError``.
    Failing those, SQLAlchemy's own verdict: a ``DisconnectionError``, or a
    ``DBAPIError`` whose connection SQLAlchemy invalidated as a disconnect.
    """
    chain = _chain(error)
    for link in chain:
        if _driver_lost(link):
            return link
    for link in chain:
        if isinstance(link, exc.DisconnectionError) or (
            isinstance(link, exc.DBAPIError) and link.connection_invalidated
        ):
            return link
    return None


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` means the database is unreachable (see ``outage_cause``)."""
    return outage_cause(error) is not None


def describe(cause: BaseException) -> str:
    """One line naming an outage's cause for a log: its class and the driver's message.

    Never SQLAlchemy's statement text or parameters (they can hold customer data).
    """
    if isinstance(cause, exc.DBAPIError) and cause.orig is not None:
        cause = cause.orig
    message = "" if isinstance(cause, exc.StatementError) else str(cause)
    name = type(cause).__name__
    return f"{name}: {message}" if message else name


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        chain.append(link)
        link = link.__cause__ if link.__cause__ is not None else link.__context__
    return chain


def _driver_lost(error: BaseException) -> bool:
    if isinstance(error, _DRIVER_LOST):
        return True
    if isinstance(error, asyncpg.exceptions.InterfaceError):
        return _CLOSED_MESSAGE in str(error)
    if isinstance(error, asyncpg.exceptions.InternalClientError):
        return _SERVER_HUNG_UP_MESSAGE in str(error)
    return False
