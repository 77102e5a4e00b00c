"""``python -m benchmarks run --db URL``: see benchmarks/README.md."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from sqlalchemy.engine import make_url

from benchmarks.carts import CART_COUNT, MissingCatalogError, prepare_carts
from benchmarks.catalog import (
    CHANNEL_SLUG,
    DatabaseUrlError,
    check_database_url,
    prepare_database,
)
from benchmarks.checkouts import prepare_checkout_carts
from benchmarks.instructions import (
    WARMUP_REQUESTS,
    InstructionsError,
    count_instructions,
)
from benchmarks.profiling import WARMUP_REQUESTS as PROFILE_WARMUP_REQUESTS
from benchmarks.profiling import ProfileOptions, profile
from benchmarks.queries import (
    DEFAULT_QUERIES,
    QUERIES,
    AnswerError,
    RequestSource,
    parse_query_names,
)
from benchmarks.run import RunOptions, run
from benchmarks.server import ServerError
from benchmarks.statements import count_statements
from benchmarks.wrk import WrkError

_WARMUP_NOTE = f"{WARMUP_REQUESTS} warm-up requests, in-process"

_WIPE_WARNING = (
    "WARNING: --db is WIPED. On PostgreSQL the named database is created if missing and "
    "then emptied with DROP SCHEMA public CASCADE (every table and row in it is lost); "
    "on SQLite the file is deleted. Point it at a dedicated benchmark database only."
)


def _int_between(low: int, high: int, name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} must be between {low} and {high}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "HTTP benchmarks of Omnicart's catalog reads and cart adds (benchmarks/README.md)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser(
        "run",
        help="load the benchmark catalog, serve it with one worker and measure with wrk",
        description=(
            "Load the benchmark catalog into --db (and M1's 100 carts), start one uvicorn "
            "worker on 127.0.0.1, "
            "check the answers, then measure each query with wrk (warm-up, then --runs "
            "runs, medians) and print req/s, p50/p99 latency, SQL statements per request "
            "and the server's peak RSS against the targets. Exit status 0 when every "
            "query meets its targets, 1 when one misses, 2 when it could not measure. "
            + _WIPE_WARNING
        ),
    )
    run_parser.add_argument(
        "--db",
        required=True,
        metavar="URL",
        help="sqlite:///path or postgresql://user@host:port/db -- " + _WIPE_WARNING,
    )
    run_parser.add_argument(
        "--queries", default=DEFAULT_QUERIES, help=f"comma-separated (default {DEFAULT_QUERIES})"
    )
    run_parser.add_argument(
        "--duration", type=_int_between(1, 600, "--duration"), default=10, help="seconds per run"
    )
    run_parser.add_argument(
        "--runs", type=_int_between(1, 20, "--runs"), default=3, help="measured runs (median)"
    )
    run_parser.add_argument(
        "--warmup", type=_int_between(0, 600, "--warmup"), default=3, help="warm-up seconds"
    )
    run_parser.add_argument(
        "--connections", type=_int_between(1, 1000, "--connections"), default=16
    )
    run_parser.add_argument("--threads", type=_int_between(1, 64, "--threads"), default=2)
    run_parser.add_argument("--port", type=_int_between(1024, 65535, "--port"), default=8765)
    run_parser.add_argument("--json", type=Path, metavar="PATH", help="also write results here")

    profile_parser = commands.add_parser(
        "profile",
        help="cProfile one query against the in-process app (where the server CPU goes)",
        description=(
            "Call the app in-process (ASGI, uvloop) with one query: warm-up, then "
            "--requests requests timed for CPU per request, then --requests under "
            "cProfile; print the top functions and the SQL of one request. Uses the "
            f"catalog already in --db (from a previous run); --load wipes and loads it "
            f"first. M1 makes {CART_COUNT} new carts in --db to add to, C1 a cart ready to "
            "check out per request. " + _WIPE_WARNING
        ),
    )
    profile_parser.add_argument("--db", required=True, metavar="URL", help="as for run")
    profile_parser.add_argument(
        "--query", default="Q1", help=f"one of {', '.join(QUERIES)} (default Q1)"
    )
    profile_parser.add_argument(
        "--requests", type=_int_between(1, 100_000, "--requests"), default=200
    )
    profile_parser.add_argument("--top", type=_int_between(1, 500, "--top"), default=30)
    profile_parser.add_argument(
        "--load", action="store_true", help="wipe --db and load the catalog first"
    )
    profile_parser.add_argument("--output", type=Path, metavar="PATH", help="pstats file")

    instructions_parser = commands.add_parser(
        "instructions",
        help="count the instructions one query costs the in-process app (callgrind)",
        description=(
            "Call the app in-process (ASGI, uvloop) with one query under valgrind's "
            "callgrind: warm-up requests uncounted, then --requests counted; print the "
            "instructions per request. Unlike CPU time it does not move with the machine, "
            "so it compares changes. Needs valgrind. Uses the catalog already in --db; "
            "--load wipes and loads it first. " + _WIPE_WARNING
        ),
    )
    instructions_parser.add_argument("--db", required=True, metavar="URL", help="as for run")
    instructions_parser.add_argument(
        "--query", default="Q1", help=f"one of {', '.join(QUERIES)} (default Q1)"
    )
    instructions_parser.add_argument(
        "--requests", type=_int_between(1, 10_000, "--requests"), default=40
    )
    instructions_parser.add_argument(
        "--load", action="store_true", help="wipe --db and load the catalog first"
    )
    return parser


def _stop_on_sigterm(signal_number: int, _frame: FrameType | None) -> None:
    # Unwinds like Ctrl-C, so the server's process group is stopped by its context manager.
    raise SystemExit(128 + signal_number)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        if args.command == "profile":
            return _profile(parser, args)
        if args.command == "instructions":
            return _instructions(parser, args)
        return _run(parser, args)
    except (
        DatabaseUrlError,
        WrkError,
        ServerError,
        AnswerError,
        MissingCatalogError,
        InstructionsError,
    ) as error:
        print(f"benchmarks: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("benchmarks: interrupted (any server it started was stopped)", file=sys.stderr)
        return 130


def _profile(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        (query,) = parse_query_names(args.query)
    except ValueError:
        parser.error(f"--query takes one of {', '.join(QUERIES)}")
    driver_url = check_database_url(args.db)
    if args.load:
        prepare_database(driver_url)
    # Tokens are stored only as digests, so M1 cannot reuse the carts of a run: new ones.
    # C1 needs one per request: the warm-up, the timed and profiled ones, and 2 counted.
    carts: RequestSource | None = None
    if query.adds_to_carts:
        carts = prepare_carts(driver_url)
    elif query.checks_out:
        carts = prepare_checkout_carts(driver_url, PROFILE_WARMUP_REQUESTS + 2 * args.requests + 3)
    report = profile(
        ProfileOptions(
            driver_url=driver_url,
            channel=CHANNEL_SLUG,
            query=query,
            requests=args.requests,
            top=args.top,
            output=args.output,
            carts=carts,
        )
    )
    print(report.stats_text)
    sources = {query.name: carts} if carts is not None else {}
    statements = count_statements(driver_url, CHANNEL_SLUG, [query], sources)[query.name]
    print(f"== the {len(statements)} SQL statements of one {query.name} request ==")
    for number, statement in enumerate(statements, start=1):
        print(f"-- {number}\n{statement.strip()}")
    print()
    print(
        f"{query.name} on {make_url(driver_url).get_backend_name()}: "
        f"{report.cpu_ms_per_request:.2f} ms CPU, "
        f"{report.wall_ms_per_request:.2f} ms wall per request (in-process, one at a time, "
        "no profiler)"
    )
    return 0


def _instructions(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        (query,) = parse_query_names(args.query)
    except ValueError:
        parser.error(f"--query takes one of {', '.join(QUERIES)}")
    driver_url = check_database_url(args.db)
    if args.load:
        prepare_database(driver_url)
    counted = count_instructions(driver_url, CHANNEL_SLUG, query, args.requests)
    print(
        f"{query.name} on {make_url(driver_url).get_backend_name()}: "
        f"{counted.per_request:,} instructions per request "
        f"(callgrind, {counted.requests} requests after {_WARMUP_NOTE})"
    )
    return 0


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    try:
        queries = parse_query_names(args.queries)
    except ValueError as error:
        parser.error(str(error))
    options = RunOptions(
        database_url=args.db,
        queries=queries,
        duration_seconds=args.duration,
        runs=args.runs,
        warmup_seconds=args.warmup,
        connections=args.connections,
        threads=args.threads,
        port=args.port,
        json_path=args.json,
    )
    return run(options)


if __name__ == "__main__":
    raise SystemExit(main())
