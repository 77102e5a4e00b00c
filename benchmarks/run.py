"""``python -m benchmarks run``: load, serve, verify, measure with wrk, report."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from benchmarks import cpu
from benchmarks.accounting import account_adds, check_cart_adds
from benchmarks.carts import (
    CART_COUNT,
    CART_MAX_LINE_QUANTITY,
    M1_SKU,
    M1_STOCK_PER_WAREHOUSE,
    CartSet,
    cart_totals,
    prepare_carts,
)
from benchmarks.catalog import CHANNEL_SLUG, check_database_url, prepare_database
from benchmarks.queries import BenchmarkQuery, check_answers
from benchmarks.report import MIB, MeasuredRun, QueryResult, machine, notes, table, write_json
from benchmarks.server import Server
from benchmarks.statements import count_statements
from benchmarks.wrk import WrkRun, ensure_wrk, run_wrk, write_cart_add_script, write_script


@dataclass(frozen=True, slots=True)
class RunOptions:
    database_url: str
    queries: Sequence[BenchmarkQuery]
    duration_seconds: int
    runs: int
    warmup_seconds: int
    connections: int
    threads: int
    port: int
    json_path: Path | None


def run(options: RunOptions) -> int:
    """Measure every query; 0 when all pass their targets, 1 when any misses."""
    driver_url = check_database_url(options.database_url)
    database = make_url(driver_url).get_backend_name()
    wrk = ensure_wrk()
    machine_info = machine()
    _say(
        f"machine: {machine_info['cpus']} x {machine_info['cpu']}, "
        f"commit {machine_info['commit']}, load average {machine_info['load_average_1min']:.2f}"
    )

    started = time.monotonic()
    summary = prepare_database(driver_url)
    _say(
        f"{database}: wiped, migrated and loaded {summary.products} products, "
        f"{summary.variants} variants in {time.monotonic() - started:.1f}s"
    )
    carts: CartSet | None = None
    if any(query.adds_to_carts for query in options.queries):
        carts = prepare_carts(driver_url)
        _say(
            f"M1: {M1_SKU} has {M1_STOCK_PER_WAREHOUSE:,} on hand at each warehouse; "
            f"{CART_COUNT} carts made with 1 unit of it each"
        )
    statements = count_statements(driver_url, CHANNEL_SLUG, options.queries, carts)
    _say(
        "SQL statements per request: "
        + ", ".join(f"{name} {len(texts)}" for name, texts in statements.items())
    )

    results: list[QueryResult] = []
    with tempfile.TemporaryDirectory(prefix="omnicart-bench-") as scratch:
        directory = Path(scratch)
        server = Server(
            database_url=driver_url,
            channel=CHANNEL_SLUG,
            port=options.port,
            log_path=directory / "server.log",
            # M1's 100 carts share every add of every run: their lines outgrow 999.
            environment={"OMNICART_CART_MAX_LINE_QUANTITY": str(CART_MAX_LINE_QUANTITY)},
        )
        with server:
            _check(server, driver_url, options.queries, carts)
            _say(f"server up on {server.base_url}; answers verified")
            for query in options.queries:
                before = cart_totals(driver_url, carts) if carts and query.adds_to_carts else None
                warmup, runs = _measure(wrk, server, directory, query, options, carts)
                accounting = ""
                if carts is not None and before is not None:
                    wrk_runs = [*([warmup] if warmup else []), *(run.wrk for run in runs)]
                    ledger = account_adds(driver_url, carts, before, wrk_runs, options.connections)
                    accounting = ledger.summary()
                    _say(f"{query.name}: {accounting}")
                _check(server, driver_url, [query], carts)
                results.append(
                    QueryResult(
                        query=query.name,
                        database=database,
                        requests_per_second=statistics.median(
                            run.wrk.requests_per_second for run in runs
                        ),
                        p50_ms=statistics.median(run.wrk.p50_ms for run in runs),
                        p99_ms=statistics.median(run.wrk.p99_ms for run in runs),
                        statements_per_request=len(statements[query.name]),
                        peak_rss_mib=server.peak_rss_bytes() / MIB,
                        target_requests_per_second=query.target_requests_per_second,
                        errors=sum(run.wrk.errors for run in runs),
                        server_cpu_ms_per_request=statistics.median(
                            run.server_cpu_ms_per_request for run in runs
                        ),
                        others_cores=max(run.cpu.others_cores for run in runs),
                        runs=runs,
                        accounting=accounting,
                        statements=statements[query.name],
                    )
                )

    print()
    print(table(results))
    print()
    print(notes(results))
    if options.json_path is not None:
        write_json(
            options.json_path,
            machine_info=machine_info,
            options=_options_record(options),
            results=results,
        )
        _say(f"wrote {options.json_path}")
    return 0 if all(result.passed for result in results) else 1


def _check(
    server: Server, driver_url: str, queries: Sequence[BenchmarkQuery], carts: CartSet | None
) -> None:
    """The answers before and after a query's runs; M1's also show idempotency holds."""
    check_answers(server.base_url, queries)
    if carts is not None and any(query.adds_to_carts for query in queries):
        check_cart_adds(server.base_url, driver_url, carts)


def _measure(
    wrk: str,
    server: Server,
    directory: Path,
    query: BenchmarkQuery,
    options: RunOptions,
    carts: CartSet | None,
) -> tuple[WrkRun | None, list[MeasuredRun]]:
    """The warm-up run (None without one) and the measured runs."""
    if query.adds_to_carts:
        if carts is None:
            raise ValueError(f"{query.name} needs its carts")
        script = write_cart_add_script(
            directory,
            query.name,
            document=query.document,
            variables={"variantId": carts.variant_global_id},
            tokens=carts.tokens,
        )
    else:
        script = write_script(directory, query.name, json.dumps({"query": query.document}))
    url = f"{server.base_url}/graphql"

    def one(duration_seconds: int) -> WrkRun:
        result = run_wrk(
            wrk,
            url=url,
            script=script,
            duration_seconds=duration_seconds,
            connections=options.connections,
            threads=options.threads,
            # M1's idempotency keys start with this, unique to the wrk run.
            arguments=[uuid.uuid4().hex[:12]],
        )
        server.check_alive()
        return result

    warmup = None
    if options.warmup_seconds > 0:
        warmup = one(options.warmup_seconds)
        _say(f"{query.name} warm-up: {warmup.requests_per_second:,.0f} req/s")
    runs: list[MeasuredRun] = []
    for number in range(1, options.runs + 1):
        before = cpu.sample(server.pid)
        result = one(options.duration_seconds)
        run = MeasuredRun(wrk=result, cpu=cpu.usage(before, cpu.sample(server.pid)))
        runs.append(run)
        _say(
            f"{query.name} run {number}/{options.runs}: {result.requests_per_second:,.0f} req/s, "
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}, "
            f"server CPU {run.server_cpu_ms_per_request:.2f} ms/request, "
            f"others {run.cpu.others_cores:.2f} cores"
        )
    return warmup, runs


def _options_record(options: RunOptions) -> dict[str, object]:
    return {
        # The URL without a password, for the record.
        "database": make_url(options.database_url).render_as_string(hide_password=True),
        "queries": [query.name for query in options.queries],
        "duration_seconds": options.duration_seconds,
        "runs": options.runs,
        "warmup_seconds": options.warmup_seconds,
        "connections": options.connections,
        "threads": options.threads,
    }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
