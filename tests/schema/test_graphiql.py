"""GraphiQL on GET /graphql works offline: its page loads every asset from this server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from core.config import Settings
from core.runtime import Runtime
from schema.app import create_app
from schema.relay import to_global_id
from tests.factories import make_shop
from tests.factories.servers import PUSH_TIMEOUT, free_port, receive, running_server

CHROMIUM = Path("/usr/bin/chromium")
HTML = {"accept": "text/html"}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


class _Assets(HTMLParser):
    """Collects the URLs a page loads: every ``<script src>`` and ``<link href>``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        self.urls += [value for name, value in attrs if name == wanted and value]


def _assets_of(page: str) -> list[str]:
    parser = _Assets()
    parser.feed(page)
    return parser.urls


async def _graphiql_page(client: httpx.AsyncClient) -> str:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_the_graphiql_page_loads_nothing_from_another_host(
    client: httpx.AsyncClient,
) -> None:
    page = await _graphiql_page(client)

    assets = _assets_of(page)
    assert len(assets) == 6  # React, ReactDOM, GraphiQL's JS and CSS, the explorer's two
    assert all(url.startswith("/static/graphiql/") for url in assets)
    assert re.search(r"https?://|unpkg|jsdelivr", page, re.IGNORECASE) is None


async def test_every_asset_of_the_page_is_served_with_its_type_and_a_long_cache_life(
    client: httpx.AsyncClient,
) -> None:
    page = await _graphiql_page(client)

    for url in _assets_of(page):
        response = await client.get(url)
        assert response.status_code == 200, url
        content_type = CONTENT_TYPES[Path(url).suffix]
        assert response.headers["content-type"].startswith(content_type), url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.content


async def test_graphiql_subscribes_over_graphql_transport_ws(client: httpx.AsyncClient) -> None:
    # GraphiQL's bundle carries the graphql-ws client, the protocol the server speaks on
    # /graphql (tests/schema/inventory/test_subscriptions.py).
    script = await client.get("/static/graphiql/graphiql-3.8.3/graphiql.min.js")

    assert b"graphql-transport-ws" in script.content


async def test_the_licences_are_served_beside_the_assets(client: httpx.AsyncClient) -> None:
    for package in ("react-18.2.0", "react-dom-18.2.0", "graphiql-3.8.3"):
        licence = await client.get(f"/static/graphiql/{package}/LICENSE")
        assert licence.status_code == 200
        assert b"MIT License" in licence.content


async def test_a_path_outside_the_assets_is_not_found(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/graphiql/../graphiql.html")).status_code == 404
    assert (await client.get("/static/graphiql/nothing.js")).status_code == 404


async def test_an_app_mounted_below_a_root_path_points_at_its_own_assets(
    settings: Settings, runtime: Runtime
) -> None:
    app = create_app(settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app, root_path="/api")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await _graphiql_page(client)

    assert all(url.startswith("/api/static/graphiql/") for url in _assets_of(page))


async def test_without_graphiql_neither_the_page_nor_its_assets_are_served(
    settings: Settings, runtime: Runtime
) -> None:
    off = replace(settings, graphiql=False)
    app = create_app(off, runtime=replace(runtime, settings=off))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/graphql", headers=HTML)
        script = await client.get("/static/graphiql/graphiql-3.8.3/graphiql.min.js")

    assert page.status_code == 404
    assert script.status_code == 404


def _offline_chromium(profile: Path) -> tuple[str, ...]:
    """Headless chromium that can reach nothing but 127.0.0.1."""
    return (
        str(CHROMIUM),
        *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
        *("--disable-component-update", "--disable-sync", "--no-first-run"),
        f"--user-data-dir={profile}",
        # Every host name fails to resolve: no network but the test server's address.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    )


async def test_subscription_messages_are_text_frames(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    """A browser's graphql-ws client (GraphiQL's) reads text frames only: a binary frame
    reaches it as a Blob it refuses. Without chromium this is what shows it."""
    shop = await make_shop(runtime, warehouse=10)
    variant = to_global_id("ProductVariant", shop.variant_id)

    async with (
        running_server(database_url, tmp_path / "server.log") as base,
        connect(
            base.replace("http://", "ws://") + "/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
            open_timeout=PUSH_TIMEOUT,
        ) as connection,
    ):
        await connection.send(json.dumps({"type": "connection_init"}))
        ack = await asyncio.wait_for(connection.recv(), PUSH_TIMEOUT)
        subscribe = {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": AVAILABILITY_CHANGED, "variables": {"variantIds": [variant]}},
        }
        await connection.send(json.dumps(subscribe))
        pushed = await asyncio.wait_for(connection.recv(), PUSH_TIMEOUT)

    assert isinstance(ack, str)
    assert json.loads(ack) == {"type": "connection_ack"}
    assert isinstance(pushed, str)
    assert json.loads(pushed)["type"] == "next"


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (/usr/bin/chromium)"
)


@needs_chromium
async def test_graphiql_renders_in_chromium_with_no_network(
    database_url: str, tmp_path: Path
) -> None:
    async with running_server(database_url, tmp_path / "server.log") as base:
        browser = await asyncio.create_subprocess_exec(
            *_offline_chromium(tmp_path / "profile"),
            # Virtual time: scripts run, and GraphiQL renders, before the DOM is dumped.
            "--virtual-time-budget=15000",
            "--dump-dom",
            f"{base}/graphql",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        dom, _ = await asyncio.wait_for(browser.communicate(), PUSH_TIMEOUT * 6)

    page = dom.decode()
    assert "graphiql-editors" in page  # GraphiQL's own markup, rendered by React
    assert "Loading..." not in page


# Run in the GraphiQL page: its own fetcher (the page's ``fetcher``, GraphiQL's
# createFetcher with the bundled graphql-ws client) subscribes, and the first push
# comes back. Waits for the page's scripts to have run first.
FIRST_PUSH = """
(async () => {
  while (typeof fetcher === "undefined") {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const query = %s;
  const pushes = await fetcher(
    { query, variables: %s },
    { documentAST: GraphiQL.GraphQL.parse(query) },
  );
  const iterator = pushes[Symbol.asyncIterator]();
  const first = await iterator.next();
  await iterator.return();
  return first.value;
})()
"""
AVAILABILITY_CHANGED = """
subscription ($variantIds: [ID!]!) {
  availabilityChanged(variantIds: $variantIds) { variantId availability { status quantity } }
}
"""


async def _page_socket(http: httpx.AsyncClient, debug_port: int) -> str:
    """The DevTools WebSocket URL of chromium's one page, once chromium answers."""
    deadline = asyncio.get_running_loop().time() + PUSH_TIMEOUT * 3
    while asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(httpx.TransportError):
            targets = (await http.get(f"http://127.0.0.1:{debug_port}/json/list")).json()
            pages = [t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"]
            if pages:
                return str(pages[0])
        await asyncio.sleep(0.1)
    raise AssertionError("chromium's DevTools never answered")


async def _devtools(
    devtools: ClientConnection, call: int, method: str, params: dict[str, Any]
) -> dict[str, Any]:
    """Calls a DevTools method; its result (events before it are dropped)."""
    await devtools.send(json.dumps({"id": call, "method": method, "params": params}))
    reply = await receive(devtools)
    while reply.get("id") != call:
        reply = await receive(devtools)
    assert "error" not in reply, reply
    result: dict[str, Any] = reply["result"]
    return result


@needs_chromium
async def test_graphiql_subscribes_over_graphql_transport_ws_in_chromium(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    variant = to_global_id("ProductVariant", shop.variant_id)
    debug_port = free_port()

    async with running_server(database_url, tmp_path / "server.log") as base:
        browser = await asyncio.create_subprocess_exec(
            *_offline_chromium(tmp_path / "profile"),
            f"--remote-debugging-port={debug_port}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            async with httpx.AsyncClient(timeout=PUSH_TIMEOUT) as http:
                page = await _page_socket(http, debug_port)
            expression = FIRST_PUSH % (
                json.dumps(AVAILABILITY_CHANGED),
                json.dumps({"variantIds": [variant]}),
            )
            async with connect(page, max_size=None, open_timeout=PUSH_TIMEOUT) as devtools:
                await _devtools(devtools, 1, "Page.enable", {})
                await _devtools(devtools, 2, "Page.navigate", {"url": f"{base}/graphql"})
                while (await receive(devtools)).get("method") != "Page.loadEventFired":
                    pass
                reply = await _devtools(
                    devtools,
                    3,
                    "Runtime.evaluate",
                    {"expression": expression, "awaitPromise": True, "returnByValue": True},
                )
        finally:
            browser.terminate()
            await browser.wait()

    assert reply["result"]["value"] == {
        "data": {
            "availabilityChanged": {
                "variantId": variant,
                "availability": {"status": "IN_STOCK", "quantity": 10},
            }
        }
    }
