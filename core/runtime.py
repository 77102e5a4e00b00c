"""What a running Omnicart holds: the engine, sessions, clock and plugins.

Built once by the composition root (CLI or tests) and passed down; nothing here
is created at import time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.channels.cache import ChannelCache
from core.clock import Clock, SystemClock
from core.config import Settings
from core.db import create_engine, session_factory
from core.db.driver import StatementDriver
from core.db.engine import reads_for
from core.db.postgresql_reads import AutocommitReads
from core.db.reads import Reads
from core.events.bus import EventBus, bus_for
from core.events.model import PublishedEvent
from core.events.wakeup import Wakeup
from core.keys import KeyRing
from core.plugin_host import PluginHost
from core.uow import UnitOfWork, WriterQueue


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    # Reads outside units of work, without transactions (core.db.reads).
    reads: Reads
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    plugins: PluginHost
    channels: ChannelCache
    # Committed events to subscribers, across processes on PostgreSQL (core.events.bus).
    bus: EventBus
    # Instance keys (core.keys): the cart token seal.
    keys: KeyRing
    # PostgreSQL: the reads' autocommit connections, also for a commit made in one
    # statement (UnitOfWork.commit); None on SQLite.
    autocommit: AutocommitReads | None = None
    # SQLite: this process's units of work take turns (core.uow.WriterQueue).
    writers: WriterQueue | None = None
    # Set by this process's commits of published events: wakes the plugin event
    # delivery (core.event_hooks.dispatcher).
    wakeup: Wakeup = field(default_factory=Wakeup)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        plugins: PluginHost | None = None,
        engine: AsyncEngine | None = None,
        reads: Reads | None = None,
        bus: EventBus | None = None,
    ) -> Runtime:
        engine = engine or create_engine(settings.database_url, pool_size=settings.db_pool_size)
        reads = reads or reads_for(engine, settings.database_url, pool_size=settings.db_pool_size)
        return cls(
            settings=settings,
            engine=engine,
            reads=reads,
            sessions=session_factory(engine),
            clock=clock or SystemClock(),
            plugins=plugins or PluginHost.load(),
            channels=ChannelCache(
                reads, ttl_seconds=settings.channel_cache_seconds, monotonic=time.monotonic
            ),
            bus=bus
            or bus_for(settings.database_url, retention_seconds=settings.outbox_retention_seconds),
            keys=KeyRing(engine, settings.secret_key),
            autocommit=reads if isinstance(reads, AutocommitReads) else None,
            writers=WriterQueue() if engine.dialect.name == "sqlite" else None,
        )

    @property
    def statements(self) -> StatementDriver:
        """The statement driver (compiled-statement cache) of the reads and the writes."""
        return self.reads.statements

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.sessions,
            clock=self.clock,
            plugins=self.plugins,
            statements=self.reads.statements,
            dialect=self.engine.dialect.name,
            publish=self._publish,
            keys=self.keys,
            autocommit=self.autocommit,
            writers=self.writers,
        )

    async def _publish(self, events: Sequence[object]) -> None:
        """After a commit: wake the event delivery, then hand the events to the bus."""
        if any(isinstance(event, PublishedEvent) for event in events):
            self.wakeup.set()
        await self.bus.publish(events)

    async def close(self) -> None:
        await self.bus.close()
        await self.reads.dispose()
        await self.engine.dispose()
