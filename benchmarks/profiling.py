"""``python -m benchmarks profile``: where one query's server CPU goes, in-process.

The app is called directly as ASGI (no HTTP client or server in the profile) on uvloop,
as uvicorn runs it: first untimed warm-up requests, then N timed requests without the
profiler (CPU ms per request), then N requests under cProfile.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import uvloop

from benchmarks.queries import AnswerError, BenchmarkQuery, answer_problems
from core.config import Settings
from schema.app import create_app

_WARMUP_REQUESTS: Final = 50

Message = MutableMapping[str, Any]


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    driver_url: str
    channel: str
    query: BenchmarkQuery
    requests: int
    top: int
    output: Path | None


@dataclass(frozen=True, slots=True)
class ProfileReport:
    cpu_ms_per_request: float
    wall_ms_per_request: float
    stats_text: str


def profile(options: ProfileOptions) -> ProfileReport:
    return uvloop.run(_profile(options))


async def _profile(options: ProfileOptions) -> ProfileReport:
    app = create_app(Settings(database_url=options.driver_url, default_channel=options.channel))
    body = json.dumps({"query": options.query.document}).encode()
    try:
        status, answer = await post(app, body)
        problems = answer_problems(options.query, status, json.loads(answer or b"null"))
        if problems:
            raise AnswerError("; ".join(problems[:5]) + " (load the catalog with --load)")
        for _ in range(_WARMUP_REQUESTS):
            await post(app, body)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(options.requests):
            await post(app, body)
        cpu_ms = 1000 * (time.process_time() - cpu) / options.requests
        wall_ms = 1000 * (time.perf_counter() - wall) / options.requests
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(options.requests):
            await post(app, body)
        profiler.disable()
    finally:
        await app.state.runtime.close()
    if options.output is not None:
        profiler.dump_stats(options.output)
    return ProfileReport(cpu_ms, wall_ms, _stats_text(profiler, options.top))


def _stats_text(profiler: cProfile.Profile, top: int) -> str:
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    # cProfile counts each resumption of a coroutine as a call: read ncalls with care.
    text.write("== own time (tottime) ==\n")
    stats.sort_stats("tottime").print_stats(top)
    text.write("== including callees (cumtime) ==\n")
    stats.sort_stats("cumulative").print_stats(top)
    return text.getvalue()


async def post(app: Callable[..., Awaitable[None]], body: bytes) -> tuple[int, bytes]:
    """One POST /graphql through the ASGI interface, as uvicorn would send it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765),
        "state": {},
    }
    received = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))

    await app(scope, receive, send)
    return status, b"".join(chunks)
