"""A database outage is told as one (issue 12): ``DATABASE_UNAVAILABLE``, and HTTP 503 with
``Retry-After`` when nothing was answered, so that a client retries with the same
idempotency key; the retry applies the change once."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from core.channels.model import EnabledPlugin
from core.clock import FrozenClock
from core.config import Settings
from core.db import create_engine
from core.hooks import hookimpl
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.app import create_app
from schema.errors import DATABASE_UNAVAILABLE_MESSAGE, RETRY_AFTER_SECONDS, unanswered_for_outage
from tests.factories import (
    ADD,
    READ,
    GraphQLClient,
    availability,
    create,
    make_shop,
    postgres_dsn,
    row_counts,
    terminate_backends,
    variant_gid,
)

KEY = "outage-retry-5b0c4f3e-8d51"
UNKNOWN_TOKEN = "omct_" + "y" * 43


@dataclass
class AppPool:
    """The app's own engine, the server process of each of whose connections is known."""

    engine: AsyncEngine
    dsn: str
    pids: list[int] = field(default_factory=list)

    def opened(self, dbapi_connection: Any, _record: Any) -> None:
        self.pids.append(dbapi_connection.driver_connection.get_server_pid())

    async def empty(self) -> None:
        """Close the pooled connections: the next request opens its own."""
        await self.engine.dispose()
        self.pids.clear()

    async def restart(self) -> list[bool]:
        """End the server process of every connection opened since ``empty``, in use or
        idle in the pool, as a database restart does; wait until they are gone."""
        return await terminate_backends(self.dsn, self.pids)


class Outage:
    """A plugin whose hook, the next time it runs, runs ``next`` (here the database
    restarting under the request, ``AppPool.restart``); the request then carries on."""

    def __init__(self) -> None:
        self.next: Callable[[], Awaitable[list[bool]]] | None = None
        self.terminated: list[bool] = []

    async def strike(self) -> None:
        cut, self.next = self.next, None
        if cut is not None:
            self.terminated = await cut()


class OutageWhilePricing(Outage):
    """Prices between the one-statement add's read and its write (PostgreSQL)."""

    @hookimpl
    async def omnicart_price_lines(self) -> None:
        await self.strike()


class OutageWhileCounting(Outage):
    """An availability plugin: its channel's adds take the locked path, and it runs
    inside their transaction."""

    @hookimpl
    async def omnicart_variant_availability(self) -> None:
        await self.strike()


@pytest.fixture
def outages() -> dict[str, Outage]:
    return {
        "outage-while-pricing": OutageWhilePricing(),
        "outage-while-counting": OutageWhileCounting(),
    }


@pytest.fixture
def plugins(outages: dict[str, Outage]) -> PluginHost:
    return PluginHost.load(extra=outages)


@pytest.fixture
def dsn(database_url: str) -> str:
    return postgres_dsn(database_url)


@pytest.fixture
async def pool(dsn: str, database_url: str) -> AsyncIterator[AppPool]:
    engine = create_engine(database_url, pool_size=5)
    app_pool = AppPool(engine, dsn)
    event.listen(engine.sync_engine, "connect", app_pool.opened)
    yield app_pool
    await engine.dispose()


@pytest.fixture
async def app(
    pool: AppPool, settings: Settings, clock: FrozenClock, plugins: PluginHost
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on its own engine (``pool``), so that its connections can be ended."""
    runtime = Runtime.build(settings, engine=pool.engine, clock=clock, plugins=plugins)
    transport = httpx.ASGITransport(app=create_app(settings, runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A local port bound without listening: every connection to it is refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


@pytest.fixture
async def down(refusing_port: int, plugins: PluginHost) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose PostgreSQL refuses every connection (stopped, or restarting)."""
    settings = Settings(database_url=f"postgresql+asyncpg://nobody@127.0.0.1:{refusing_port}/x")
    runtime = Runtime.build(settings, plugins=plugins)
    transport = httpx.ASGITransport(app=create_app(settings, runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await runtime.close()


async def post(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "variables": variables})


@pytest.mark.parametrize(
    "plugin",
    ["outage-while-pricing", "outage-while-counting"],
    ids=["before-the-one-statement-write", "inside-the-transaction"],
)
async def test_an_add_whose_connection_drops_answers_503_and_its_retry_applies_once(
    pool: AppPool,
    app: httpx.AsyncClient,
    outages: dict[str, Outage],
    runtime: Runtime,
    plugin: str,
) -> None:
    shop = await make_shop(runtime, warehouse=10, plugins=[EnabledPlugin(plugin, {})])
    token = (await create(GraphQLClient(app), shop))["token"]
    add = {"token": token, "lines": [{"variantId": variant_gid(shop), "quantity": 2}], "key": KEY}
    await pool.empty()
    outage = outages[plugin]
    outage.next = pool.restart

    broken = await post(app, ADD, add)
    retried = await post(app, ADD, add)
    again = await post(app, ADD, add)
    ready = await app.get("/readyz")

    assert outage.terminated == [True]  # the one connection the add had opened
    assert broken.status_code == 503
    assert broken.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert broken.json() == {
        "data": None,
        "errors": [
            {
                "message": DATABASE_UNAVAILABLE_MESSAGE,
                "locations": [{"line": 3, "column": 3}],
                "path": ["cartLinesAdd"],
                "extensions": {"code": "DATABASE_UNAVAILABLE"},
            }
        ],
    }
    assert (retried.status_code, again.status_code, ready.status_code) == (200, 200, 200)
    first, second = retried.json()["data"]["cartLinesAdd"], again.json()["data"]["cartLinesAdd"]
    assert (first["replayed"], second["replayed"]) == (False, True)
    assert [line["quantity"] for line in second["cart"]["lines"]] == [2]
    assert (await availability(runtime, shop)).quantity == 8
    assert (await row_counts(runtime))["cart_requests"] == 1


async def test_a_request_while_the_database_refuses_connections_answers_503(
    down: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    add = {
        "token": UNKNOWN_TOKEN,
        "lines": [{"variantId": "UHJvZHVjdFZhcmlhbnQ6MQ", "quantity": 1}],
    }
    caplog.set_level(logging.WARNING, logger="schema.protection")

    added = await post(down, ADD, {**add, "key": KEY})
    read = await post(down, READ, {"token": UNKNOWN_TOKEN})
    ready = await down.get("/readyz")

    for response, path in ((added, "cartLinesAdd"), (read, "cart")):
        assert response.status_code == 503
        assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        [error] = response.json()["errors"]
        assert (error["path"], error["extensions"]) == ([path], {"code": "DATABASE_UNAVAILABLE"})
    assert ready.status_code == 503
    # One warning line per request, naming the cause; no traceback, no token.
    logged = [r for r in caplog.records if r.name == "schema.protection"]
    assert [(r.levelname, r.exc_info) for r in logged] == [("WARNING", None)] * 2
    assert all("ConnectionRefusedError" in r.getMessage() for r in logged)
    assert UNKNOWN_TOKEN not in caplog.text


def test_only_a_response_left_without_data_by_an_outage_is_unanswered() -> None:
    outage = {"message": "...", "extensions": {"code": "DATABASE_UNAVAILABLE"}}
    bug = {"message": "...", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}

    assert unanswered_for_outage({"data": None, "errors": [outage]})
    assert unanswered_for_outage({"data": {"cart": None, "product": None}, "errors": [bug, outage]})
    # Some data was answered: the client reads it and the error's code (HTTP 200).
    assert not unanswered_for_outage({"data": {"cart": None, "product": {}}, "errors": [outage]})
    assert not unanswered_for_outage({"data": None, "errors": [bug]})
    assert not unanswered_for_outage({"data": {"cart": None}})
