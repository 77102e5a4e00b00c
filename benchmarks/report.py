"""Results: the PASS/MISS rules, the printed table, the JSON file and the machine's description."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from benchmarks.cpu import CpuUsage
from benchmarks.processes import load_average
from benchmarks.wrk import WrkRun

MIB: Final = 1024 * 1024
RSS_TARGET_MIB: Final = 150.0
# Above this many cores used by unrelated processes, a run's req/s is not trustworthy.
BUSY_MACHINE_CORES: Final = 0.25


@dataclass(frozen=True, slots=True)
class MeasuredRun:
    wrk: WrkRun
    cpu: CpuUsage

    @property
    def server_cpu_ms_per_request(self) -> float:
        requests = self.wrk.requests
        return 1000 * self.cpu.server_seconds / requests if requests else 0.0


@dataclass(frozen=True, slots=True)
class QueryResult:
    query: str
    database: str
    requests_per_second: float  # medians over the measured runs
    p50_ms: float
    p99_ms: float
    statements_per_request: int
    peak_rss_mib: float  # the server's peak from its start to the end of this query's runs
    target_requests_per_second: float
    errors: int  # wrk socket errors, timeouts and non-2xx answers over the measured runs
    server_cpu_ms_per_request: float  # median over the measured runs
    others_cores: float  # the most that unrelated processes used in any measured run
    runs: Sequence[MeasuredRun]
    # M1: how its adds added up (benchmarks.accounting.AddLedger.summary).
    accounting: str = ""
    statements: Sequence[str] = ()  # the SQL of the request counted for SQL/req

    @property
    def passed(self) -> bool:
        return (
            self.errors == 0
            and self.requests_per_second >= self.target_requests_per_second
            and self.peak_rss_mib <= RSS_TARGET_MIB
        )

    @property
    def target(self) -> str:
        return f">= {self.target_requests_per_second:,.0f} req/s, <= {RSS_TARGET_MIB:.0f} MiB"


_HEADERS: Final = (
    "query",
    "database",
    "req/s",
    "p50 ms",
    "p99 ms",
    "SQL/req",
    "peak RSS MiB",
    "target",
    "result",
)


def table(results: Sequence[QueryResult]) -> str:
    rows = [
        (
            result.query,
            result.database,
            f"{result.requests_per_second:,.0f}",
            f"{result.p50_ms:.1f}",
            f"{result.p99_ms:.1f}",
            str(result.statements_per_request),
            f"{result.peak_rss_mib:.1f}",
            result.target,
            "PASS" if result.passed else ("MISS (errors)" if result.errors else "MISS"),
        )
        for result in results
    ]
    widths = [max(len(cell) for cell in column) for column in zip(_HEADERS, *rows, strict=False)]
    numeric = {2, 3, 4, 5, 6}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    separator = "  ".join("-" * width for width in widths)
    return "\n".join([line(_HEADERS), separator, *(line(row) for row in rows)])


def notes(results: Sequence[QueryResult]) -> str:
    """Server CPU per request, and a warning when other processes competed for the CPU."""
    lines = [
        f"{result.query} {result.database}: server CPU {result.server_cpu_ms_per_request:.2f} "
        f"ms/request; other processes used up to {result.others_cores:.2f} cores"
        for result in results
    ]
    lines += [
        f"{result.query} {result.database}: {result.accounting}"
        for result in results
        if result.accounting
    ]
    busy = max((result.others_cores for result in results), default=0.0)
    if busy > BUSY_MACHINE_CORES:
        lines.append(
            f"WARNING: other processes used up to {busy:.2f} cores during the runs; "
            "req/s is lower than on a quiet machine. Re-run when the machine is idle."
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the numbers were measured on: they mean little without it."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_mib": _memory_mib(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "commit": _git_commit(),
        "load_average_1min": load_average(),
    }


def write_json(
    path: Path,
    *,
    machine_info: Mapping[str, Any],
    options: Mapping[str, Any],
    results: Sequence[QueryResult],
) -> None:
    document = {
        "machine": machine_info,
        "options": options,
        "results": [
            {
                **asdict(result),
                "runs": [
                    {
                        **asdict(run.wrk),
                        "requests_per_second": run.wrk.requests_per_second,
                        "server_cpu_ms_per_request": run.server_cpu_ms_per_request,
                        "server_cores": run.cpu.server_cores,
                        "others_cores": run.cpu.others_cores,
                    }
                    for run in result.runs
                ],
                "target": result.target,
                "passed": result.passed,
            }
            for result in results
        ],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mib() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+changes" if dirty else head
