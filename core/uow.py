"""The unit of work: one transaction, the clock and the plugin host.

Leaving the ``async with`` block without ``commit()`` rolls back, so a request that
fails half-way (a bad input found late, a plugin raising) writes nothing.

Services ``record`` domain events (past-tense dataclasses such as
``core.inventory.events.StockChanged``) as they change things. Events recorded in a
transaction that rolls back are dropped with it. ``commit`` first writes the
published ones (``core.events.model.PublishedEvent``) to the outbox in the same
transaction, one statement for all of them (``core.events.outbox``; on PostgreSQL
that statement also queues the NOTIFY that carries their ids to every process, and
carries the writes held back by ``write_later``), then
commits, moves the events to ``committed_events`` and hands them to ``publish`` (the
runtime's event bus, ``core.events.bus``: on SQLite it delivers in process). A
failed publish is logged and never fails the request: the data is committed by then.
(Plugin event hooks: a later issue.)

On PostgreSQL a change can also be made in one statement outside the transaction
(``at_once``, ``write_at_once``, then ``after_commit``; see ``core.carts.at_once``):
a read, then one guarded write that commits by itself, so the locks it takes are
never held across a round trip to this process.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.sql import ClauseElement

from core.clock import Clock
from core.events.model import PublishedEvent
from core.events.outbox import append_events, notifying_insert
from core.fastsql import Part, fetch, fetch_together
from core.keys import KeyRing
from core.plugin_host import PluginHost
from core.reads import AutocommitConnection, AutocommitReads

logger = logging.getLogger(__name__)

Publish = Callable[[Sequence[object]], Awaitable[None]]


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        plugins: PluginHost,
        publish: Publish | None = None,
        keys: KeyRing | None = None,
        autocommit: AutocommitReads | None = None,
    ) -> None:
        self._sessions = sessions
        # PostgreSQL: connections in autocommit, for changes made in one statement.
        self._autocommit = autocommit
        self._publish = publish
        self._keys = keys
        self.clock = clock
        self.plugins = plugins
        self._session: AsyncSession | None = None
        self._connection: AsyncConnection | None = None
        self._pending: list[object] = []
        # Writes held for the commit (PostgreSQL; ``write_later``).
        self._deferred: list[Part] = []
        # Recorded events a statement already wrote to the outbox (``flush_with``), by id.
        self._written: set[int] = set()
        self.committed_events: list[object] = []

    @property
    def keys(self) -> KeyRing:
        """Instance keys; load what you need before entering the block (a first load
        may write, which must not wait on this unit of work's own lock on SQLite)."""
        if self._keys is None:
            raise RuntimeError("this unit of work has no key ring")
        return self._keys

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        return self._session

    async def connection(self) -> AsyncConnection:
        """The transaction's connection (its first use begins the transaction).

        Kept while the transaction is open: ``session.connection()`` crosses
        SQLAlchemy's greenlet bridge on every call, and a cart change asks for it about
        six times. After a commit or a rollback the session gives the next one.
        """
        connection = self._connection
        if connection is None or connection.closed or not connection.in_transaction():
            connection = self._connection = await self.session.connection()
        return connection

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("units of work do not nest")
        self._pending = []
        self._deferred = []
        self._written = set()
        self._connection = None
        # The transaction begins with the first statement (the session's autobegin):
        # no round trip to the greenlet bridge for an empty BEGIN here.
        self._session = self._sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        self._connection = None
        self._pending = []
        self._deferred = []
        self._written = set()
        # Closing rolls back what was not committed and returns the connection.
        await session.close()

    @property
    def events(self) -> list[object]:
        """Events recorded in the current transaction, not yet committed."""
        return list(self._pending)

    def record(self, event: object) -> None:
        """Note a domain event; it counts only if the transaction commits."""
        if self._session is None:
            raise RuntimeError("events are recorded inside the unit of work's block")
        self._pending.append(event)

    async def write_later(self, statement: ClauseElement, parameters: Mapping[str, Any]) -> None:
        """Run a write whose effect nothing in this unit of work reads back, by the commit.

        On PostgreSQL it is sent with the outbox write just before the commit, in one
        statement (``core.fastsql.fetch_together``): a round trip saved per write. So
        until the commit, reads in this transaction do not see it, and it must not
        write rows that another deferred write or the outbox write touches. SQLite
        runs it now.
        """
        connection = await self.connection()
        if connection.dialect.name == "postgresql":
            self._deferred.append((statement, dict(parameters)))
        else:
            await fetch(connection, statement, parameters)

    async def flush_with(
        self, statement: ClauseElement, parameters: Mapping[str, Any]
    ) -> Sequence[Any]:
        """PostgreSQL: the held writes, the outbox rows of the events recorded so far and
        ``statement``, in one statement; ``statement``'s rows.

        ``statement`` writes those outbox rows itself (and queues their NOTIFY): it
        is given them as the arrays ``topics``, ``subject_ids`` and ``payloads``
        (``core.events.outbox.notifying_insert``'s), besides ``parameters``. So a
        change whose last step takes a contended lock (a hot variant's stock row)
        sends everything else with it, and holds the lock only until the COMMIT
        right after. Events it writes itself are recorded with ``record_written``.
        """
        connection = await self.connection()
        published = self._unwritten()
        _statement, outbox = notifying_insert(published, now=self.clock.now())
        deferred, self._deferred = self._deferred, []
        rows = await fetch_together(connection, deferred, (statement, {**outbox, **parameters}))
        self._written.update(id(event) for event in published)
        return rows

    def record_written(self, event: PublishedEvent) -> None:
        """Record an event a statement of this transaction already wrote to the outbox."""
        self.record(event)
        self._written.add(id(event))

    def _unwritten(self) -> list[PublishedEvent]:
        return [
            event
            for event in self._pending
            if isinstance(event, PublishedEvent) and id(event) not in self._written
        ]

    @property
    def writes_at_once(self) -> bool:
        """Whether ``at_once`` is available (PostgreSQL, given autocommit connections)."""
        return self._autocommit is not None

    @asynccontextmanager
    async def at_once(self) -> AsyncIterator[AutocommitConnection]:
        """A connection outside this unit of work's transaction, in autocommit: each
        statement is a transaction of its own.

        For a change made in one statement (``write_at_once``) after reads that decide
        it: the statement guards what it writes by what was read (a version, a
        quantity) and fails as a whole when something changed meanwhile. The locks it
        takes are held only while it runs and commits, never across a round trip to
        this process. Not inside the ``async with`` block.
        """
        if self._autocommit is None:
            raise RuntimeError("this unit of work has no autocommit connections")
        if self._session is not None:
            raise RuntimeError("at_once is not for use inside the unit of work's block")
        async with self._autocommit.autocommit() as connection:
            yield connection

    async def write_at_once(
        self,
        connection: AutocommitConnection,
        statement: ClauseElement,
        parameters: Mapping[str, Any],
        events: Sequence[PublishedEvent],
    ) -> Sequence[Any]:
        """Run ``statement`` on an ``at_once`` connection, given the outbox arrays of
        ``events`` as ``flush_with`` gives them: the statement writes their rows and
        queues their NOTIFY, and commits with them. Driver errors (a guard that did
        not hold) are raised as asyncpg's. The caller then hands all the change's
        events, those it wrote itself included, to ``after_commit``."""
        _statement, outbox = notifying_insert(events, now=self.clock.now())
        return await connection.fetch(statement, {**outbox, **parameters})

    async def after_commit(self, events: Sequence[object]) -> None:
        """The events of a committed change: kept in ``committed_events``, then handed to
        ``publish``. ``commit`` calls it; a change committed by ``write_at_once`` calls
        it itself."""
        self.committed_events.extend(events)
        if self._publish is not None and events:
            try:
                await self._publish(events)
            except Exception:  # the boundary: the change is committed, the request stands
                logger.exception("publishing committed events failed events=%d", len(events))

    async def commit(self) -> None:
        published = self._unwritten()
        deferred, self._deferred = self._deferred, []
        if deferred:  # PostgreSQL
            connection = await self.connection()
            if published:
                await fetch_together(
                    connection, deferred, notifying_insert(published, now=self.clock.now())
                )
            else:
                await fetch_together(connection, deferred[:-1], deferred[-1])
        elif published:
            await append_events(self.session, published, now=self.clock.now())
        await self.session.commit()
        self._connection = None
        events, self._pending = self._pending, []
        self._written = set()
        # Work after the commit runs in a new transaction, begun by its first statement.
        await self.after_commit(events)
