"""Talking GraphQL in tests: over HTTP to ``create_app``, or straight to the schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request

from core.runtime import Runtime
from schema.app import build_loaders
from schema.context import Context


@dataclass
class GraphQLClient:
    """Posts GraphQL documents and returns the decoded body; fails on a non-200."""

    http: httpx.AsyncClient
    headers: dict[str, str] = field(default_factory=dict)

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={**self.headers, **(headers or {})},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def with_headers(self, **headers: str) -> GraphQLClient:
        return GraphQLClient(self.http, {**self.headers, **headers})


def bare_context(runtime: Runtime, **headers: str) -> Context:
    """The context of a plain GET request with ``headers`` (none by default), as the app
    would build it."""
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    request = Request({"type": "http", "method": "GET", "path": "/graphql", "headers": raw})
    return Context(runtime=runtime, request=request, loaders_factory=build_loaders)
