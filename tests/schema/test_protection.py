"""Malformed, too deep, too wide or oversized requests get coded GraphQL errors."""

from collections.abc import AsyncIterator, Iterator, MutableMapping
from dataclasses import replace

import httpx
import pytest
import strawberry
from graphql import ValidationContext, ValidationRule
from starlette.applications import Starlette

from core.config import Settings
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.app import create_app
from schema.protection import DocumentCaches, Protection
from tests.factories import GraphQLClient


def _nested_categories(depth: int) -> str:
    query = "name"
    for _ in range(depth):
        query = f"children {{ {query} }}"
    return f"{{ categories {{ {query} }} }}"


async def test_a_syntax_error_is_coded_as_a_parse_failure(gql: GraphQLClient) -> None:
    body = await gql("{ products {")

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_an_unknown_field_is_coded_as_a_validation_failure(gql: GraphQLClient) -> None:
    body = await gql("{ products { nodes { colour } } }")

    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "colour" in body["errors"][0]["message"]


async def test_a_query_deeper_than_the_limit_is_refused(gql: GraphQLClient) -> None:
    body = await gql(_nested_categories(14))

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_query_within_the_depth_limit_runs(gql: GraphQLClient) -> None:
    body = await gql(_nested_categories(3))

    assert body == {"data": {"categories": []}}


async def test_too_many_aliases_are_refused(gql: GraphQLClient) -> None:
    aliases = " ".join(f"c{i}: channels {{ slug }}" for i in range(31))

    body = await gql(f"{{ {aliases} }}")

    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_document_with_too_many_tokens_is_refused(gql: GraphQLClient) -> None:
    body = await gql("{ " + "channels { slug } " * 600 + "}")

    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_an_oversized_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    padding = " " * 200_000

    response = await client.post("/graphql", json={"query": "{ channels { slug } }" + padding})

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_an_oversized_body_without_content_length_is_refused(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b" " * 10_000

    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


@pytest.mark.parametrize("body", [b"{not json", b'{"query": 5}', b"[]"])
async def test_a_malformed_http_body_is_a_client_error_not_a_crash(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert 400 <= response.status_code < 500


async def test_an_unknown_channel_is_a_coded_error(gql: GraphQLClient) -> None:
    body = await gql('{ products(channel: "nowhere") { nodes { name } } }')

    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "UNKNOWN_CHANNEL"}
    assert "nowhere" in error["message"]


async def test_health_answers_without_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_cors_is_answered_only_for_configured_origins(
    settings: Settings, runtime: Runtime
) -> None:
    app = create_app(replace(settings, cors_origins=("https://shop.example.com",)), runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    preflight = {"access-control-request-method": "POST"}

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        allowed = await http.options(
            "/graphql", headers={"origin": "https://shop.example.com", **preflight}
        )
        refused = await http.options(
            "/graphql", headers={"origin": "https://evil.example.com", **preflight}
        )

    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert "access-control-allow-origin" not in refused.headers


async def test_readiness_fails_when_the_database_is_unreachable(plugins: PluginHost) -> None:
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none")
    runtime = Runtime.build(settings, plugins=plugins)
    transport = httpx.ASGITransport(app=create_app(settings, runtime=runtime))

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/readyz")
    await runtime.close()

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


class CountedRule(ValidationRule):
    """A validation rule counting the documents it was run on."""

    runs = 0

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        type(self).runs += 1


@strawberry.type
class _Query:
    @strawberry.field
    def greeting(self) -> str:
        return "hello"


async def test_a_document_is_validated_once_however_often_it_is_sent() -> None:
    caches = DocumentCaches.bounded(8)
    schema = strawberry.Schema(
        query=_Query,
        extensions=[lambda: Protection(max_tokens=1000, rules=(CountedRule,), caches=caches)],
    )
    CountedRule.runs = 0

    answers = [await schema.execute("{ greeting }") for _ in range(3)]
    other = await schema.execute("{ again: greeting }")

    assert [answer.data for answer in answers] == [{"greeting": "hello"}] * 3
    assert other.data == {"again": "hello"}
    assert CountedRule.runs == 2


async def _websocket_handshake(app: Starlette, origin: str) -> str:
    """The first thing the app sends to a browser opening /graphql's WebSocket from
    ``origin``: ``websocket.accept``, or ``websocket.close`` (refused: the server
    answers the handshake with HTTP 403)."""
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "scheme": "ws",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"api.example.com"),
            (b"origin", origin.encode()),
            (b"sec-websocket-protocol", b"graphql-transport-ws"),
        ],
        "subprotocols": ["graphql-transport-ws"],
    }
    incoming: Iterator[dict[str, object]] = iter([{"type": "websocket.connect"}])
    sent: list[str] = []

    async def receive() -> dict[str, object]:
        return next(incoming, {"type": "websocket.disconnect", "code": 1000})

    async def send(message: MutableMapping[str, object]) -> None:
        sent.append(str(message["type"]))

    await app(scope, receive, send)
    return sent[0]


async def test_a_websocket_from_a_configured_origin_is_accepted_and_others_refused(
    settings: Settings, runtime: Runtime
) -> None:
    """A storefront on another origin subscribes as it queries: OMNICART_CORS_ORIGINS
    lists it for both."""
    app = create_app(replace(settings, cors_origins=("https://shop.example.com",)), runtime=runtime)

    assert await _websocket_handshake(app, "https://shop.example.com") == "websocket.accept"
    assert await _websocket_handshake(app, "https://api.example.com") == "websocket.accept"
    assert await _websocket_handshake(app, "https://evil.example.com") == "websocket.close"
