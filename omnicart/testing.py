"""The plugin author kit: a pytest plugin that runs a plugin's tests against an
in-process Omnicart.

Installed with Omnicart (entry point ``pytest11``: ``omnicart``), so its fixtures are
there in any project that installs ``omnicart`` with pytest and pytest-asyncio
(``pip install 'omnicart[test]'``). The fixtures are async and share one database
for the session, so run tests in the session's event loop::

    [tool.pytest.ini_options]
    asyncio_mode = "auto"
    asyncio_default_fixture_loop_scope = "session"
    asyncio_default_test_loop_scope = "session"

Fixtures (override the first four in your ``conftest.py``):

``omnicart_plugin``
    The plugin under test: the entry-point name of an installed plugin (``"clearance"``),
    or a module or object with ``@hookimpl`` functions. No default: override it.
``omnicart_plugin_name``
    The name it is enabled by: the entry-point name, else the module's last name part
    (or the object's class name in lower case).
``omnicart_channel``
    The demo channel that enables it: ``"web"`` (also ``mobile``, ``marketplace``,
    ``store-warszawa``, ``web-eu``).
``omnicart_plugin_settings``
    Its settings in that channel, validated by its ``settings_class``: ``{}``.
``omnicart``
    An ``omnicart.kit.shop.Omnicart``: the demo retailer (``core.demo``) freshly seeded
    on the test database, the plugin enabled in the channel through the channel update
    staff use, the ASGI app (``app``) and an httpx client (``http``) against it. It has
    ``staff_token(scopes, locations=None)``, ``customer(email)`` (registered and logged
    in), ``place_order(...)`` (a demo SKU through checkout with the test gateway),
    ``deliver_events()`` (runs the ``omnicart_event`` delivery until nothing is left),
    ``engine`` and ``database_url`` (for the plugin's own tables, which are the
    plugin's to clean), ``clock`` (frozen; ``advance`` it) and ``demo`` (channel and
    location global IDs by slug, a few SKUs every channel sells from stock, their
    variant global IDs).
``omnicart_graphql``
    ``await omnicart_graphql(query, variables, channel=..., token=...)`` returns the
    response's ``data`` and raises ``GraphQLErrors`` when it carries errors;
    ``await omnicart_graphql.raw(...)`` returns the whole body.
``omnicart_database_url``, ``omnicart_engine``, ``omnicart_reads``
    The session's test database: a SQLite file in a temporary directory, or the
    database in ``OMNICART_TEST_DATABASE_URL`` (PostgreSQL: its ``public`` schema is
    dropped and migrated again), and its engine and read connections.

Every fixture name starts with ``omnicart``, so none clashes with a project's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import reads_for
from core.db.reads import Reads
from omnicart.kit.database import migrated_engine, test_database_url
from omnicart.kit.graphql import GraphQL, GraphQLErrors
from omnicart.kit.shop import Omnicart, PlacedOrder, Shopper, open_shop, plugin_name

__all__ = ["GraphQL", "GraphQLErrors", "Omnicart", "PlacedOrder", "Shopper"]


@pytest.fixture
def omnicart_plugin() -> str | object:
    pytest.fail(
        "Override the omnicart_plugin fixture in your conftest.py: return the plugin's "
        "entry-point name, or its module"
    )


@pytest.fixture
def omnicart_plugin_name(omnicart_plugin: str | object) -> str:
    return plugin_name(omnicart_plugin)


@pytest.fixture
def omnicart_channel() -> str:
    return "web"


@pytest.fixture
def omnicart_plugin_settings() -> Mapping[str, Any]:
    return {}


@pytest.fixture(scope="session")
def omnicart_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return test_database_url(tmp_path_factory.mktemp("omnicart-db"))


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def omnicart_engine(omnicart_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await migrated_engine(omnicart_database_url)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def omnicart_reads(
    omnicart_engine: AsyncEngine, omnicart_database_url: str
) -> AsyncIterator[Reads]:
    """The read connections every test's runtime shares (inline on SQLite)."""
    reads = reads_for(omnicart_engine, omnicart_database_url, pool_size=5)
    yield reads
    await reads.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def omnicart(
    omnicart_engine: AsyncEngine,
    omnicart_reads: Reads,
    omnicart_plugin: str | object,
    omnicart_plugin_name: str,
    omnicart_channel: str,
    omnicart_plugin_settings: Mapping[str, Any],
) -> AsyncIterator[Omnicart]:
    async with open_shop(
        engine=omnicart_engine,
        reads=omnicart_reads,
        plugin=omnicart_plugin,
        name=omnicart_plugin_name,
        channel=omnicart_channel,
        settings=omnicart_plugin_settings,
    ) as shop:
        yield shop


@pytest.fixture
def omnicart_graphql(omnicart: Omnicart) -> GraphQL:
    return omnicart.graphql
