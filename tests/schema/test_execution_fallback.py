"""Outside the library versions it was tested with, the app answers through graphql-core's
own executor and says so once at start-up (schema/execution/requirements.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from core.config import Settings
from core.runtime import Runtime
from schema.app import OmnicartGraphQL, create_app
from schema.execution import FastExecutionContext, fast_execution_problems
from schema.execution.requirements import GRAPHQL_CORE, STRAWBERRY, installed_versions
from tests.factories import make_channel, make_product

LISTING = """
{ products(first: 5) {
    totalCount
    nodes { __typename id name slug variants { sku price { amount currency } } }
    pageInfo { hasNextPage endCursor } } }
"""


def _upgraded(distribution: str, version: str) -> dict[str, str]:
    return {**installed_versions(), distribution: version}


def _executor_of(app: Starlette) -> Any:
    graphql = next(
        route.endpoint
        for route in app.routes
        if isinstance(route, Route) and isinstance(route.endpoint, OmnicartGraphQL)
    )
    assert isinstance(graphql.schema, strawberry.Schema)
    return graphql.schema.execution_context_class


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


async def _listing(
    settings: Settings, runtime: Runtime, *, execution_problems: Sequence[str] | None
) -> bytes:
    app = create_app(settings, runtime=runtime, execution_problems=execution_problems)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post("/graphql", json={"query": LISTING})
    assert response.status_code == 200
    return response.content


def test_the_installed_libraries_leave_nothing_in_the_fast_executors_way() -> None:
    problems = fast_execution_problems()

    assert problems == ()


@pytest.mark.parametrize(
    ("distribution", "version"),
    [(GRAPHQL_CORE, "3.4.0"), (GRAPHQL_CORE, "3.3.1"), (STRAWBERRY, "0.342.0")],
)
def test_a_version_outside_the_tested_range_is_a_problem_naming_it(
    distribution: str, version: str
) -> None:
    problems = fast_execution_problems(_upgraded(distribution, version))

    assert len(problems) == 1
    assert f"{distribution} {version}" in problems[0]


def test_a_patch_release_within_the_tested_minor_is_no_problem() -> None:
    problems = fast_execution_problems(_upgraded(GRAPHQL_CORE, "3.3.9"))

    assert problems == ()


def test_with_nothing_in_the_way_the_app_uses_the_fast_executor_silently(
    settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        app = create_app(settings, runtime=runtime)

    assert _executor_of(app) is FastExecutionContext
    assert _warnings(caplog) == []


def test_with_a_problem_the_app_warns_once_and_uses_graphql_cores_executor(
    settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    problems = fast_execution_problems(_upgraded(GRAPHQL_CORE, "3.4.0"))

    with caplog.at_level(logging.WARNING):
        app = create_app(settings, runtime=runtime, execution_problems=problems)

    assert _executor_of(app) is StrawberryGraphQLCoreExecutionContext
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "graphql-core 3.4.0" in warnings[0].getMessage()


async def test_graphql_cores_executor_answers_the_listing_as_the_fast_one_does(
    settings: Settings, runtime: Runtime
) -> None:
    channel = await make_channel(runtime, slug="web")
    for number in range(3):
        await make_product(
            runtime,
            channel=channel,
            slug=f"tee-{number}",
            variants=[f"T{number}-S", f"T{number}-M"],
        )
    problems = fast_execution_problems(_upgraded(STRAWBERRY, "0.342.0"))

    fast = await _listing(settings, runtime, execution_problems=())
    fallback = await _listing(settings, runtime, execution_problems=problems)

    assert b'"errors"' not in fast and b"tee-2" in fast
    assert fallback == fast
