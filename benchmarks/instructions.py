"""``python -m benchmarks instructions``: instructions per request, counted by callgrind.

CPU time per request moves with the machine (another process's caches, the VM's own
speed: the same commit measured Q1 between 316 and 430 req/s); the number of
instructions the server process executes for a request does not. So changes are
compared by it: the app runs in-process as in ``profile`` (ASGI, uvloop), under
valgrind's callgrind with counting switched off; after the warm-up requests it is
switched on (``callgrind_control``) for the measured ones only, then off again.
Instructions of the database server are not counted (another process); SQLite's are.
M1 makes its 100 carts first (uncounted) and rotates over them as under wrk; C1's carts,
one per request, are made before valgrind starts and handed over in a file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import uvloop

from benchmarks.carts import prepare_carts, settings_for
from benchmarks.checkouts import CheckoutCarts, prepare_checkout_carts
from benchmarks.profiling import post
from benchmarks.queries import (
    QUERIES,
    AnswerError,
    BenchmarkQuery,
    RequestSource,
    answer_problems,
    request_body,
)
from schema.app import create_app
from schema.cli import tune_gc_for_serving

WARMUP_REQUESTS: Final = 30


class InstructionsError(RuntimeError):
    """valgrind is missing or the counting run failed."""


@dataclass(frozen=True, slots=True)
class InstructionCount:
    requests: int
    instructions: int

    @property
    def per_request(self) -> int:
        return self.instructions // self.requests


def count_instructions(
    driver_url: str, channel: str, query: BenchmarkQuery, requests: int
) -> InstructionCount:
    """Run ``requests`` requests of ``query`` under callgrind; their instructions."""
    valgrind = shutil.which("valgrind")
    if valgrind is None or shutil.which("callgrind_control") is None:
        raise InstructionsError("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="omnicart-callgrind-") as directory:
        output = Path(directory) / "callgrind.out"
        tokens = Path(directory) / "tokens.txt"
        if query.checks_out:
            made = prepare_checkout_carts(driver_url, 1 + WARMUP_REQUESTS + requests)
            tokens.write_text("\n".join(made.tokens), encoding="utf-8")
        command = [
            valgrind,
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={output}",
            sys.executable,
            "-m",
            "benchmarks.instructions",
            driver_url,
            channel,
            query.name,
            str(requests),
            str(tokens),
        ]
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise InstructionsError(
                f"the counting run failed ({finished.returncode}): {finished.stderr[-2000:]}"
            )
        # callgrind writes one file per dump (a part per switch-off) next to the name given.
        total = sum(_collected(path) for path in Path(directory).glob("callgrind.out*"))
    return InstructionCount(requests=requests, instructions=total)


def _collected(path: Path) -> int:
    """The instructions a callgrind output file counted (its ``totals:`` line)."""
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    return 0


def _switch(on: bool) -> None:
    subprocess.run(
        ["callgrind_control", "--instr=on" if on else "--instr=off", str(os.getpid())],
        check=True,
        capture_output=True,
    )


async def _measured(
    driver_url: str,
    channel: str,
    query: BenchmarkQuery,
    requests: int,
    carts: RequestSource | None,
) -> None:
    app = create_app(settings_for(driver_url, channel))
    tune_gc_for_serving()  # as schema.cli.app_from_environ does for uvicorn
    # M1 rotates over its carts with a fresh idempotency key per request, as under wrk;
    # bodies are made before counting starts (the client's work).
    bodies = [request_body(query, carts, n) for n in range(1 + WARMUP_REQUESTS + requests)]
    try:
        status, answer = await post(app, bodies[0])
        problems = answer_problems(query, status, json.loads(answer or b"null"))
        if problems:
            raise AnswerError("; ".join(problems[:5]) + " (load the catalog with --load)")
        for body in bodies[1 : 1 + WARMUP_REQUESTS]:
            await post(app, body)
        counted = bodies[1 + WARMUP_REQUESTS :]
        _switch(on=True)
        for body in counted:
            await post(app, body)
        _switch(on=False)
    finally:
        await app.state.runtime.close()


if __name__ == "__main__":
    # The process callgrind runs: driver URL, channel, query name, requests, C1's tokens.
    url, channel_slug, name, count, tokens_path = sys.argv[1:6]
    measured = QUERIES[name]
    # M1's 100 carts are made here, before valgrind counts anything.
    made: RequestSource | None = prepare_carts(url) if measured.adds_to_carts else None
    if measured.checks_out:
        listed = Path(tokens_path).read_text(encoding="utf-8").split()
        made = CheckoutCarts(tokens=tuple(listed), channel_id=0, variant_ids=())
    uvloop.run(_measured(url, channel_slug, measured, int(count), made))
