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
from benchmarks.checkout_ledger import account_checkouts, check_checkouts, checkout_totals
from benchmarks.checkouts import CheckoutCarts, carts_needed, prepare_checkout_carts, run_rate
from benchmarks.queries import BenchmarkQuery, RequestSource, check_answers
from benchmarks.report import MIB, MeasuredRun, QueryResult, machine, notes, table, write_json
from benchmarks.server import Server
from benchmarks.statements import count_statements
from benchmarks.wrk import (
    WrkRun,
    ensure_wrk,
    run_wrk,
    write_cart_add_script,
    write_checkout_script,
    write_script,
    write_tokens,
)

# C1's carts beyond the wrk runs': the answer checks before and after (1 each) and the
# statement count (2).
_C1_CHECK_CARTS = 4


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
    checkouts: CheckoutCarts | None = None
    if any(query.checks_out for query in options.queries):
        started = time.monotonic()
        checkouts = prepare_checkout_carts(driver_url, checkout_carts_for(options))
        _say(
            f"C1: {len(checkouts.tokens):,} carts ready to check out, made in "
            f"{time.monotonic() - started:.0f}s"
        )
    sources: dict[str, RequestSource] = {}
    for query in options.queries:
        source = carts if query.adds_to_carts else checkouts if query.checks_out else None
        if source is not None:
            sources[query.name] = source
    statements = count_statements(driver_url, CHANNEL_SLUG, options.queries, sources)
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
            _check(server, driver_url, options.queries, carts, checkouts)
            _say(f"server up on {server.base_url}; answers verified")
            for query in options.queries:
                before = cart_totals(driver_url, carts) if carts and query.adds_to_carts else None
                placed = (
                    checkout_totals(driver_url, checkouts)
                    if checkouts and query.checks_out
                    else None
                )
                warmup, runs = _measure(
                    wrk, server, directory, query, options, carts, checkouts, driver_url
                )
                wrk_runs = [*([warmup] if warmup else []), *(run.wrk for run in runs)]
                accounting = ""
                if carts is not None and before is not None:
                    ledger = account_adds(driver_url, carts, before, wrk_runs, options.connections)
                    accounting = ledger.summary()
                if checkouts is not None and placed is not None:
                    accounting = account_checkouts(
                        driver_url, checkouts, placed, wrk_runs, options.connections
                    ).summary()
                    exhausted = sum(run.exhausted for run in wrk_runs)
                    if exhausted:
                        accounting += (
                            f"; {exhausted} requests found no cart left (the run outpaced "
                            "benchmarks.checkouts.MAX_RATE: raise it)"
                        )
                if accounting:
                    _say(f"{query.name}: {accounting}")
                _check(server, driver_url, [query], carts, checkouts)
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


def checkout_carts_for(options: RunOptions) -> int:
    """C1's carts made before the server starts: the checks' and the first wrk run's
    (the warm-up, or the first measured run, at ``MAX_RATE``). Later runs get theirs
    just before they start (``run_rate``)."""
    first = options.warmup_seconds or options.duration_seconds
    return _C1_CHECK_CARTS + carts_needed(first, options.connections)


def _check(
    server: Server,
    driver_url: str,
    queries: Sequence[BenchmarkQuery],
    carts: CartSet | None,
    checkouts: CheckoutCarts | None,
) -> None:
    """The answers before and after a query's runs; M1's and C1's also show that a retry
    applies once."""
    check_answers(server.base_url, queries)
    if carts is not None and any(query.adds_to_carts for query in queries):
        check_cart_adds(server.base_url, driver_url, carts)
    if checkouts is not None and any(query.checks_out for query in queries):
        check_checkouts(server.base_url, driver_url, checkouts)


def _measure(
    wrk: str,
    server: Server,
    directory: Path,
    query: BenchmarkQuery,
    options: RunOptions,
    carts: CartSet | None,
    checkouts: CheckoutCarts | None,
    driver_url: str,
) -> tuple[WrkRun | None, list[MeasuredRun]]:
    """The warm-up run (None without one) and the measured runs."""
    if query.checks_out:
        if checkouts is None:
            raise ValueError(f"{query.name} needs its carts")
        script = write_checkout_script(
            directory, query.name, document=query.document, threads=options.threads
        )
    elif query.adds_to_carts:
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

    runs_made = 0

    def arguments(duration_seconds: int) -> list[str]:
        # M1's idempotency keys start with the first, unique to the wrk run; C1 also gets
        # a file of carts no other run gets.
        nonlocal runs_made
        runs_made += 1
        prefix = uuid.uuid4().hex[:12]
        if checkouts is None or not query.checks_out:
            return [prefix]
        needed = carts_needed(duration_seconds, options.connections, run_rate(best_rate))
        # Made while the server idles, before the run (and its CPU sample) starts;
        # the checks after the runs need one more.
        checkouts.top_up(driver_url, needed + 1)
        tokens = checkouts.take(needed)
        path = write_tokens(directory / f"{query.name}-carts-{runs_made}.txt", tokens)
        return [prefix, str(path)]

    best_rate: float | None = None

    def one(duration_seconds: int) -> WrkRun:
        nonlocal best_rate
        result = run_wrk(
            wrk,
            url=url,
            script=script,
            duration_seconds=duration_seconds,
            connections=options.connections,
            threads=options.threads,
            arguments=arguments(duration_seconds),
        )
        server.check_alive()
        best_rate = max(best_rate or 0.0, result.requests_per_second)
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
