"""Talking GraphQL in tests: over HTTP to ``create_app`` (the plugin kit's client), or
straight to the schema."""

from __future__ import annotations

from starlette.requests import Request

from core.runtime import Runtime
from omnicart.kit.graphql import GraphQLClient
from schema.app import build_loaders
from schema.context import Context


def bare_context(runtime: Runtime, **headers: str) -> Context:
    """The context of a plain GET request with ``headers`` (none by default), as the app
    would build it."""
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    request = Request({"type": "http", "method": "GET", "path": "/graphql", "headers": raw})
    return Context(runtime=runtime, request=request, loaders_factory=build_loaders)


__all__ = ["GraphQLClient", "bare_context"]
