"""The unit of work: one transaction, the clock and the plugin host.

Leaving the ``async with`` block without ``commit()`` rolls back, so a request that
fails half-way (a bad input found late, a plugin raising, a guard that did not hold)
writes nothing.

Inside the block a service reads and writes through the transaction
(``session``, ``connection()``, ``fetch``, ``run``) and ``record``s domain events
(past-tense dataclasses such as ``core.inventory.events.StockChanged``) as it changes
things. ``commit(chain, parameters)`` ends the transaction: it runs the change's last
write steps (``core.db.chain``), the outbox rows of the recorded published events
(``core.events.outbox.outbox_steps``) and the COMMIT, in as few round trips as the
database allows:

- PostgreSQL, when nothing has run in the transaction yet (a change that read
  outside it and is guarded by what it read, such as ``core.carts.fast_add``): the
  steps and the outbox are one statement on an autocommit connection. That statement
  is the transaction: the row locks it takes are held only while it runs and
  commits, never across a round trip to this process.
- PostgreSQL otherwise: the steps and the outbox as one statement in the
  transaction, then COMMIT.
- SQLite: the steps and the outbox one after another in the transaction (``BEGIN
  IMMEDIATE``: writers are serialised), then COMMIT.

Either way the change is all or nothing, and nothing it writes is visible to
anybody else before the commit: the same on both databases. A required step that
finds its rows changed raises ``core.db.chain.GuardFailed`` and nothing is written.

After the commit, and only then, ``publish_committed`` hands the events to the
runtime's event bus (``core.events.bus``: NOTIFY already went with the commit on
PostgreSQL; SQLite delivers in process). It is an explicit step of ``commit``; a
failure there is logged and never fails the request: the data is committed by then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.sql import ClauseElement

from core.clock import Clock
from core.db.chain import Chain, ChainResult
from core.db.driver import StatementDriver
from core.db.postgresql_reads import AutocommitConnection, AutocommitReads
from core.db.reads import InTransaction
from core.events.model import PublishedEvent
from core.events.outbox import outbox_parameters, outbox_steps
from core.keys import KeyRing
from core.plugin_host import PluginHost

logger = logging.getLogger(__name__)

Publish = Callable[[Sequence[object]], Awaitable[None]]

NO_STEPS = Chain(())


class WriterQueue:
    """SQLite: one writer at a time in this process, waiting in line on the event loop.

    SQLite serialises writers with its database lock (units of work begin with
    ``BEGIN IMMEDIATE``), and a writer that finds it taken sleeps in SQLite's busy
    handler: 1, 2, 5, 10 ... up to 100 ms between tries, whenever the lock was freed.
    Under a burst of cart adds most of a request's time went to those sleeps. Units
    of work of one process take their turn here first, in arrival order, so the lock
    is free when they ask for it (other processes still meet the busy handler). A
    unit of work holds its turn from entering its block to its commit, rollback or
    exit, so one must not open another while it holds its turn: that waits for
    ``timeout_seconds`` and fails, as SQLite's own busy timeout would.
    """

    def __init__(self, *, timeout_seconds: float = 30.0) -> None:
        self._lock = asyncio.Lock()
        self._timeout_seconds = timeout_seconds

    async def enter(self) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
        # cancellation that arrives as the lock is acquired, and a cancelled task (a
        # server's sweeper at shutdown) would then run on forever.
        try:
            async with asyncio.timeout(self._timeout_seconds):
                await self._lock.acquire()
        except TimeoutError:
            raise RuntimeError("waited too long for this process's SQLite writer turn") from None

    def leave(self) -> None:
        self._lock.release()


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        plugins: PluginHost,
        statements: StatementDriver,
        dialect: str,
        publish: Publish | None = None,
        keys: KeyRing | None = None,
        autocommit: AutocommitReads | None = None,
        writers: WriterQueue | None = None,
    ) -> None:
        self._sessions = sessions
        # SQLite: this process's writers wait their turn here rather than in SQLite's
        # busy handler (see WriterQueue).
        self._writers = writers
        self._queued = False
        self._publish = publish
        self._keys = keys
        # PostgreSQL: autocommit connections, for a commit that is one statement.
        self._autocommit = autocommit
        # The connection ``read_outside`` lent, while it is open.
        self._outside: AutocommitConnection | None = None
        self.statements = statements
        self.dialect = dialect
        self.clock = clock
        self.plugins = plugins
        # Inside the ``async with`` block; the session is made on first use, so a
        # change that only commits steps on PostgreSQL never builds one.
        self._active = False
        self._session: AsyncSession | None = None
        self._connection: AsyncConnection | None = None
        self._pending: list[object] = []
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
        if not self._active:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        if self._session is None:
            # The transaction begins with the first statement (the session's autobegin).
            self._session = self._sessions()
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

    async def reads(self) -> InTransaction:
        """The transaction's connection as a read connection whose statements built
        once go through the statement driver (``core.db.reads.fetch_named``)."""
        return InTransaction(await self.connection(), self.statements)

    async def __aenter__(self) -> Self:
        if self._active:
            raise RuntimeError("units of work do not nest")
        self._pending = []
        self._connection = None
        if self._writers is not None:
            await self._writers.enter()
            self._queued = True
        self._active = True
        return self

    def _leave_queue(self) -> None:
        if self._queued and self._writers is not None:
            self._queued = False
            self._writers.leave()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        self._active = False
        self._connection = None
        self._pending = []
        try:
            if session is not None:
                # Closing rolls back what was not committed and returns the connection.
                await session.close()
        finally:
            self._leave_queue()

    @property
    def events(self) -> list[object]:
        """Events recorded in the current transaction, not yet committed."""
        return list(self._pending)

    def record(self, event: object) -> None:
        """Note a domain event; it counts only if the transaction commits."""
        if not self._active:
            raise RuntimeError("events are recorded inside the unit of work's block")
        self._pending.append(event)

    @property
    def reads_outside(self) -> bool:
        """Whether ``read_outside`` is available (PostgreSQL)."""
        return self._autocommit is not None

    @asynccontextmanager
    async def read_outside(self) -> AsyncIterator[AutocommitConnection]:
        """A connection outside the transaction, each statement on its own (PostgreSQL),
        for the reads that decide a change guarded by what they read. A ``commit`` made
        while it is open, with nothing else run in the transaction, sends its one
        statement on it too (one connection checked out for the whole change)."""
        if self._autocommit is None:
            raise RuntimeError("this unit of work has no autocommit connections")
        async with self._autocommit.autocommit() as connection:
            self._outside = connection
            try:
                yield connection
            finally:
                self._outside = None

    async def fetch(self, statement: ClauseElement, parameters: Mapping[str, Any]) -> Sequence[Any]:
        """The rows of ``statement`` run in the transaction (named tuples)."""
        return await self.statements.fetch(await self.connection(), statement, parameters)

    async def run(self, chain: Chain, parameters: Mapping[str, Any]) -> ChainResult:
        """Run ``chain``'s steps in the transaction (one statement on PostgreSQL).
        ``GuardFailed`` when a required step found its rows changed: leave the block."""
        return await self.statements.run(await self.connection(), chain, parameters)

    async def rollback(self) -> None:
        """Drop what the transaction wrote and the events recorded with it."""
        await self.session.rollback()
        self._connection = None
        self._pending = []
        self._leave_queue()

    async def commit(
        self, chain: Chain = NO_STEPS, parameters: Mapping[str, Any] | None = None
    ) -> ChainResult:
        """Run ``chain``'s steps and write the recorded published events' outbox rows,
        commit, then publish every recorded event (see the module docstring).

        ``GuardFailed`` when a required step found its rows changed: nothing was
        written, and the events are dropped.
        """
        published = [event for event in self._pending if isinstance(event, PublishedEvent)]
        values = dict(parameters or {})
        steps = chain.steps
        if published:
            steps = (*steps, *outbox_steps(self.dialect))
            values.update(outbox_parameters(self.dialect, published, now=self.clock.now()))
        if not self._active:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        result = ChainResult()
        if steps:
            full = Chain(steps)
            if (
                self._autocommit is not None
                and self.dialect == "postgresql"
                and (self._session is None or not self._session.in_transaction())
            ):
                if self._outside is not None:
                    result = await self.statements.run_with(
                        self._outside.fetch, self.dialect, full, values
                    )
                else:
                    async with self._autocommit.autocommit() as connection:
                        result = await self.statements.run_with(
                            connection.fetch, self.dialect, full, values
                        )
            else:
                result = await self.run(full, values)
        if self._session is not None:
            await self._session.commit()
        self._leave_queue()
        self._connection = None
        events, self._pending = self._pending, []
        await self.publish_committed(events)
        return result

    async def publish_committed(self, events: Sequence[object]) -> None:
        """After a commit: keep the events in ``committed_events`` and hand them to
        ``publish``. A failure is logged, never raised (the change is committed)."""
        self.committed_events.extend(events)
        if self._publish is not None and events:
            try:
                await self._publish(events)
            except Exception:  # the boundary: the change is committed, the request stands
                logger.exception("publishing committed events failed events=%d", len(events))
