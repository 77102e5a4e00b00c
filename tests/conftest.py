"""Shared fixtures: a real, migrated database (SQLite by default, PostgreSQL when
``OMNICART_TEST_DATABASE_URL`` is set), cleaned after every test, plus a runtime
with a frozen clock and an HTTP client against ``create_app``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import tables  # noqa: F401  (every table on the metadata, for cleaning)
from core.clock import FrozenClock
from core.config import Settings, normalise_database_url
from core.db import create_engine, metadata
from core.db.engine import reads_for
from core.db.reads import Reads
from core.migrate import upgrade_to_head
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.app import create_app
from tests.factories import FROZEN_AT, GraphQLClient, StatementCounter

TEST_DATABASE_VARIABLE = "OMNICART_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get(TEST_DATABASE_VARIABLE)
    if configured:
        return normalise_database_url(configured)
    path: Path = tmp_path_factory.mktemp("db") / "omnicart-test.db"
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        # Start from an empty schema so the migrations themselves are under test.
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade_to_head(engine)
    yield engine
    await engine.dispose()


async def _clean(engine: AsyncEngine) -> None:
    names = [table.name for table in reversed(metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            # Self-references (the category tree) are checked at commit, when all are gone.
            await connection.execute(text("PRAGMA defer_foreign_keys = ON"))
            for name in names:
                await connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the database starts and ends with empty tables.

    Truncation rather than a rolled-back outer transaction: the app under test
    opens its own connections, as it does in production.
    """
    if "engine" not in request.fixturenames:
        yield
        return
    engine: AsyncEngine = request.getfixturevalue("engine")
    await _clean(engine)
    yield
    await _clean(engine)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT)


@pytest.fixture(scope="session")
async def reads(engine: AsyncEngine, database_url: str) -> AsyncIterator[Reads]:
    """The read connections every test's runtime shares (inline on SQLite)."""
    reads = reads_for(engine, database_url, pool_size=5)
    yield reads
    await reads.dispose()


@pytest.fixture(scope="session")
def plugins() -> PluginHost:
    return PluginHost.load()


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No channel cache: tests change channels through services and read at once.
    # (tests/core/channels/test_cache.py covers the cache itself.)
    return Settings(database_url=database_url, default_channel="web", channel_cache_seconds=0)


@pytest.fixture
def runtime(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock, plugins: PluginHost
) -> Runtime:
    return Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)


@pytest.fixture
async def client(settings: Settings, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    # The runtime is shared with the test, so the app must not dispose the engine.
    app = create_app(settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def count_statements(engine: AsyncEngine, reads: Reads) -> Iterator[StatementCounter]:
    """Counts every SQL statement run for writes or reads while the test holds it."""
    counter = StatementCounter()

    def before_execute(
        _conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            counter.statements.append(statement)

    engines = {id(e): e for e in (engine.sync_engine, reads.sync_engine)}
    for sync_engine in engines.values():
        event.listen(sync_engine, "before_cursor_execute", before_execute)
    yield counter
    for sync_engine in engines.values():
        event.remove(sync_engine, "before_cursor_execute", before_execute)
