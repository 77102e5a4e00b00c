"""The demo serves the example storefront at / and its mobile page at /mobile/, from
the built files in the package, beside the API (issue 16, point 4)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.runtime import Runtime
from schema.app import create_app
from schema.cli import origin_of, serve_demo_storefront
from schema.storefront import MOBILE_DIR, STOREFRONT_DIR
from tests.factories import GraphQLClient

IMMUTABLE = "public, max-age=31536000, immutable"


class _Assets(HTMLParser):
    """The URLs a page loads: every ``<script src>`` and ``<link rel=stylesheet href>``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.urls.append(str(found["href"]))


def assets_of(page: str) -> list[str]:
    parser = _Assets()
    parser.feed(page)
    return parser.urls


@pytest.fixture
async def demo_client(settings: Settings, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    serving = replace(settings, serve_storefront=True)
    app = create_app(serving, runtime=replace(runtime, settings=serving))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def page_at(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    return response.text


async def test_the_storefront_page_and_every_file_it_loads_are_served(
    demo_client: httpx.AsyncClient,
) -> None:
    page = await page_at(demo_client, "/")
    assets = assets_of(page)

    assert page == (STOREFRONT_DIR / "index.html").read_text(encoding="utf-8")
    assert {Path(url).suffix for url in assets} == {".js", ".css"}
    for url in assets:
        assert url.startswith("/assets/"), url
        response = await demo_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.content == (STOREFRONT_DIR / url.lstrip("/")).read_bytes()


async def test_the_mobile_page_is_served_below_mobile_with_its_own_files(
    demo_client: httpx.AsyncClient,
) -> None:
    page = await page_at(demo_client, "/mobile/")
    assets = assets_of(page)

    assert page == (MOBILE_DIR / "index.html").read_text(encoding="utf-8")
    assert assets
    for url in assets:
        assert url.startswith("/mobile/assets/"), url
        response = await demo_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE


async def test_the_pages_own_routes_get_the_page_and_a_missing_file_is_not_found(
    demo_client: httpx.AsyncClient,
) -> None:
    storefront = await page_at(demo_client, "/")
    mobile = await page_at(demo_client, "/mobile/")

    # A resume link (docs/carts.md) and a feed's product link open the storefront.
    assert await page_at(demo_client, "/cart") == storefront
    assert await page_at(demo_client, "/products/linen-shirt?variant=LS-M") == storefront
    # The storefront's resume link and QR code open the mobile page.
    assert await page_at(demo_client, "/mobile/cart") == mobile
    moved = await demo_client.get("/mobile?x=1")
    assert moved.status_code == 308
    assert moved.headers["location"] == "http://testserver/mobile/?x=1"
    for missing in ("/assets/index-0000.js", "/favicon.ico", "/mobile/assets/gone.css"):
        assert (await demo_client.get(missing)).status_code == 404, missing


async def test_the_api_answers_beside_the_storefront(demo_client: httpx.AsyncClient) -> None:
    answer = await GraphQLClient(demo_client)("{ __typename }")

    assert answer == {"data": {"__typename": "Query"}}
    assert (await demo_client.get("/healthz")).json() == {"status": "ok"}
    graphiql = await demo_client.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" in graphiql.text.lower()


async def test_outside_the_demo_nothing_is_served_at_the_root(client: httpx.AsyncClient) -> None:
    assert (await client.get("/")).status_code == 404
    assert (await client.get("/mobile/")).status_code == 404


def test_serve_demo_turns_the_storefront_on_unless_the_operator_said_otherwise() -> None:
    environ: dict[str, str] = {}
    serve_demo_storefront(environ, "http://127.0.0.1:8000")
    assert Settings.from_environ(environ).serve_storefront is True
    assert Settings.from_environ(environ).storefront_url == "http://127.0.0.1:8000"

    chosen = {
        "OMNICART_SERVE_STOREFRONT": "false",
        "OMNICART_STOREFRONT_URL": "https://shop.example",
    }
    serve_demo_storefront(chosen, "http://127.0.0.1:8000")
    assert Settings.from_environ(chosen).serve_storefront is False
    assert Settings.from_environ(chosen).storefront_url == "https://shop.example"


def test_a_server_bound_to_every_address_is_opened_on_localhost() -> None:
    assert origin_of("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert origin_of("0.0.0.0", 8080) == "http://localhost:8080"
    assert origin_of("::1", 8000) == "http://[::1]:8000"
