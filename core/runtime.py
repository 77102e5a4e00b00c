"""What a running Omnicart holds: the engine, sessions, clock and plugins.

Built once by the composition root (CLI or tests) and passed down; nothing here
is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import Clock, SystemClock
from core.config import Settings
from core.db import create_engine, session_factory
from core.plugin_host import PluginHost
from core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    plugins: PluginHost

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        plugins: PluginHost | None = None,
        engine: AsyncEngine | None = None,
    ) -> Runtime:
        engine = engine or create_engine(settings.database_url, pool_size=settings.db_pool_size)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            clock=clock or SystemClock(),
            plugins=plugins or PluginHost.load(),
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, clock=self.clock, plugins=self.plugins)

    async def close(self) -> None:
        await self.engine.dispose()
