"""Shared fixtures: a real, migrated database (SQLite by default, PostgreSQL when
``OMNICART_TEST_DATABASE_URL`` is set; the plugin kit's, ``omnicart.testing``), cleaned
after every test, plus a runtime with a frozen clock and an HTTP client against
``create_app``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FrozenClock
from core.config import Settings
from core.db.reads import Reads
from core.plugin_host import PluginHost
from core.runtime import Runtime
from omnicart.kit.database import empty_tables
from schema.app import create_app
from tests.factories import FROZEN_AT, GraphQLClient, StatementCounter


# The session's database, engine and read connections are the plugin kit's
# (omnicart.testing, loaded by its pytest11 entry point): one migrated database per
# session whether a test uses our fixtures, the kit's or both.
@pytest.fixture(scope="session")
def database_url(omnicart_database_url: str) -> str:
    return omnicart_database_url


@pytest.fixture(scope="session")
def engine(omnicart_engine: AsyncEngine) -> AsyncEngine:
    return omnicart_engine


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
    await empty_tables(engine)
    yield
    await empty_tables(engine)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT)


@pytest.fixture(scope="session")
def reads(omnicart_reads: Reads) -> Reads:
    """The read connections every test's runtime shares (inline on SQLite)."""
    return omnicart_reads


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
