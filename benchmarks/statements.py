"""SQL statements per request, counted on an in-process app with an engine event listener."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Final

import httpx
from sqlalchemy import event

from benchmarks.queries import AnswerError, BenchmarkQuery, answer_problems, response_json
from core.config import Settings
from schema.app import create_app

# Transaction control and connection set-up are not the query's work.
_NOT_COUNTED: Final = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")


def count_statements(
    driver_url: str, channel: str, queries: Sequence[BenchmarkQuery]
) -> dict[str, int]:
    """For each query: the statements one request runs, after one warm-up request."""
    return asyncio.run(_count(driver_url, channel, queries))


async def _count(
    driver_url: str, channel: str, queries: Sequence[BenchmarkQuery]
) -> dict[str, int]:
    app = create_app(Settings(database_url=driver_url, default_channel=channel))
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
    counts: dict[str, int] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for query in queries:
                await _post(client, query)  # warm-up: connection, caches, channel lookup
                statements.clear()
                await _post(client, query)
                counts[query.name] = len(statements)
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", on_execute)
        await runtime.close()
    return counts


async def _post(client: httpx.AsyncClient, query: BenchmarkQuery) -> None:
    response = await client.post("/graphql", json={"query": query.document})
    problems = answer_problems(query, response.status_code, response_json(response))
    if problems:
        raise AnswerError("; ".join(problems[:5]))
