"""SQL statements per request, counted on an in-process app with an engine event listener."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Final

import httpx
from sqlalchemy import event

from benchmarks.carts import settings_for
from benchmarks.queries import (
    AnswerError,
    BenchmarkQuery,
    RequestSource,
    answer_problems,
    request_body,
    response_json,
)
from schema.app import create_app

# Transaction control and connection set-up are not the query's work.
_NOT_COUNTED: Final = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")


def count_statements(
    driver_url: str,
    channel: str,
    queries: Sequence[BenchmarkQuery],
    sources: Mapping[str, RequestSource],
) -> dict[str, list[str]]:
    """For each query: the statements one request runs (their SQL), after a warm-up request.

    ``sources``: the mutations' request bodies by query name. M1's two requests are real
    adds (to the first two carts, with fresh keys), C1's two real checkouts.
    """
    return asyncio.run(_count(driver_url, channel, queries, sources))


async def _count(
    driver_url: str,
    channel: str,
    queries: Sequence[BenchmarkQuery],
    sources: Mapping[str, RequestSource],
) -> dict[str, list[str]]:
    app = create_app(settings_for(driver_url, channel))
    runtime = app.state.runtime
    # Writes and reads may run on different engines (SQLite reads run inline).
    engines = {id(e): e for e in (runtime.engine.sync_engine, runtime.reads.sync_engine)}
    statements: list[str] = []

    def on_execute(
        _connection: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if not statement.lstrip().upper().startswith(_NOT_COUNTED):
            statements.append(statement)

    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", on_execute)
    counted: dict[str, list[str]] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for query in queries:
                # Warm-up: connection, caches, channel lookup.
                source = sources.get(query.name)
                await _post(client, query, request_body(query, source, 0))
                statements.clear()
                await _post(client, query, request_body(query, source, 1))
                counted[query.name] = list(statements)
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", on_execute)
        await runtime.close()
    return counted


async def _post(client: httpx.AsyncClient, query: BenchmarkQuery, body: bytes) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    problems = answer_problems(query, response.status_code, response_json(response))
    if problems:
        raise AnswerError("; ".join(problems[:5]))
