"""Talking GraphQL to an app under test over HTTP: the raw body, or the data with
GraphQL errors raised."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from schema.context import CHANNEL_HEADER


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


class GraphQLErrors(AssertionError):
    """The response carried GraphQL ``errors`` (authorisation, malformed query, a bug).

    ``errors`` holds them as received; ``body`` the whole response. A mutation's
    ``errors: [UserError!]!`` list is data, not this.
    """

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: list[dict[str, Any]] = body.get("errors") or []
        super().__init__("; ".join(describe(error) for error in self.errors))


def describe(error: dict[str, Any]) -> str:
    code = (error.get("extensions") or {}).get("code")
    return f"{error.get('message')} (code {code})" if code else str(error.get("message"))


@dataclass
class GraphQL:
    """``await gql(query, variables, channel=..., token=...)``: the response's ``data``,
    raising ``GraphQLErrors`` when it has errors; ``await gql.raw(...)`` the whole body."""

    client: GraphQLClient

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        channel: str | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        body = await self.raw(query, variables, channel=channel, token=token)
        if body.get("errors"):
            raise GraphQLErrors(body)
        data: dict[str, Any] = body["data"]
        return data

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        channel: str | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        if channel is not None:
            headers[CHANNEL_HEADER] = channel
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.client(query, variables, headers=headers)
