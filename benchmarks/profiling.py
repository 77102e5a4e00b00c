"""``python -m benchmarks profile``: where one query's server CPU goes, in-process.

The app is called directly as ASGI (no HTTP client or server in the profile) on uvloop,
as uvicorn runs it: first untimed warm-up requests, then N timed requests without the
profiler (CPU ms per request), then N requests under cProfile. M1's requests rotate
over its carts with a fresh idempotency key each, as under wrk; C1's each check out a
cart of their own.
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

from benchmarks.carts import settings_for
from benchmarks.queries import (
    AnswerError,
    BenchmarkQuery,
    RequestSource,
    answer_problems,
    request_body,
)
from schema.app import create_app
from schema.cli import tune_gc_for_serving

WARMUP_REQUESTS: Final = 50

Message = MutableMapping[str, Any]


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    driver_url: str
    channel: str
    query: BenchmarkQuery
    requests: int
    top: int
    output: Path | None
    carts: RequestSource | None = None  # M1's or C1's carts


@dataclass(frozen=True, slots=True)
class ProfileReport:
    cpu_ms_per_request: float
    wall_ms_per_request: float
    stats_text: str


def profile(options: ProfileOptions) -> ProfileReport:
    return uvloop.run(_profile(options))


async def _profile(options: ProfileOptions) -> ProfileReport:
    app = create_app(settings_for(options.driver_url, options.channel))
    tune_gc_for_serving()  # as schema.cli.app_from_environ does for uvicorn
    query, carts = options.query, options.carts
    # Bodies are made before the clock starts: building them is the client's work.
    bodies = [request_body(query, carts, n) for n in range(WARMUP_REQUESTS + 1)]
    timed = [request_body(query, carts, n) for n in range(options.requests)]
    profiled = [request_body(query, carts, n) for n in range(options.requests)]
    try:
        status, answer = await post(app, bodies[0])
        problems = answer_problems(query, status, json.loads(answer or b"null"))
        if problems:
            raise AnswerError("; ".join(problems[:5]) + " (load the catalog with --load)")
        for body in bodies[1:]:
            await post(app, body)
        wall, cpu = time.perf_counter(), time.process_time()
        answers = [await post(app, body) for body in timed]
        cpu_ms = 1000 * (time.process_time() - cpu) / options.requests
        wall_ms = 1000 * (time.perf_counter() - wall) / options.requests
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        answers += [await post(app, body) for body in profiled]
        profiler.disable()
        # Checked afterwards, so that checking costs the timed requests nothing.
        for status, answer in answers:
            problems = answer_problems(query, status, json.loads(answer or b"null"))
            if problems:
                raise AnswerError("; ".join(problems[:5]))
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
