"""The ``omnicart`` command: the composition root.

It reads ``Settings`` from the environment once, configures logging, and wires
core services, plugins and the ASGI app together.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping, Sequence

from starlette.applications import Starlette

from core.config import Settings, SettingsError
from core.db import is_sqlite
from core.migrate import upgrade_url
from core.runtime import Runtime

logger = logging.getLogger("omnicart")

# Container allocations between young-generation collections in a serving process
# (CPython's default is 700). A catalog listing allocates a few thousand objects, so at
# 700 a collection ran in the middle of nearly every request and traversed that
# request's live objects, then again as they aged; at 10,000 most of them are freed
# by reference counting before a collection looks (docs/operations.md).
SERVING_GC_THRESHOLD = 10_000


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every webhook request at INFO with its full URL, which may carry a
    # receiver's own token: our delivery log (``webhookDeliveries``) and its warnings
    # say what happened without it.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))


def app_from_environ() -> Starlette:
    """Uvicorn's factory for worker processes: each builds its own runtime."""
    from schema.app import create_app

    settings = Settings.from_environ()
    configure_logging(settings.log_level)
    app = create_app(settings)
    tune_gc_for_serving()
    return app


def tune_gc_for_serving() -> None:
    """Collect less often, and never traverse what was loaded before serving.

    ``gc.freeze`` moves every object alive now (modules, the schema, the app) out of
    the collector's sight: they live as long as the process, and a full collection
    no longer walks them. Cyclic garbage is still collected; only its timing changes.
    """
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(SERVING_GC_THRESHOLD, middle, old)


def _run(settings: Settings, work: Callable[[Runtime], Awaitable[int]]) -> int:
    async def main() -> int:
        runtime = Runtime.build(settings)
        try:
            return await work(runtime)
        finally:
            await runtime.close()

    return asyncio.run(main())


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    upgrade_url(settings.database_url)
    logger.info("migrated database to the newest schema")
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from core.demo.seed import seed_demo

    if not args.demo:
        print("omnicart seed: only --demo data exists; pass --demo", file=sys.stderr)
        return 2
    upgrade_url(settings.database_url)

    async def work(runtime: Runtime) -> int:
        summary = await seed_demo(runtime, only_if_empty=not args.force)
        print(summary)
        return 0

    return _run(settings, work)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if is_sqlite(settings.database_url) or args.migrate:
        upgrade_url(settings.database_url)
    if args.demo:
        from core.demo.seed import seed_demo

        async def work(runtime: Runtime) -> int:
            summary = await seed_demo(runtime, only_if_empty=True)
            logger.info("demo data: %s", summary)
            return 0

        _run(settings, work)
        serve_demo_storefront(os.environ, origin_of(args.host, args.port))
    logger.info("serving GraphQL at %s/graphql", origin_of(args.host, args.port))
    if Settings.from_environ().serve_storefront:
        logger.info("serving the example storefront at %s/", origin_of(args.host, args.port))
    uvicorn.run(
        "schema.cli:app_from_environ",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        env_file=None,
    )
    return 0


def origin_of(host: str, port: int) -> str:
    """The address a browser on this machine opens for a server bound to ``host``."""
    shown = "localhost" if host in {"0.0.0.0", "::", ""} else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def serve_demo_storefront(environ: MutableMapping[str, str], origin: str) -> None:
    """``serve --demo``: the worker processes (which read the environment) serve the
    example storefront, and the product feeds link to it; either stays as the operator
    set it."""
    environ.setdefault("OMNICART_SERVE_STOREFRONT", "true")
    environ.setdefault("OMNICART_STOREFRONT_URL", origin)


def cmd_staff_create_token(settings: Settings, args: argparse.Namespace) -> int:
    from core.errors import DomainError
    from core.staff import services

    async def work(runtime: Runtime) -> int:
        try:
            issued = await services.create_token(
                runtime.uow(), name=args.name, scopes=args.scope, locations=args.location or ()
            )
        except DomainError as error:
            print(f"omnicart staff create-token: {error}", file=sys.stderr)
            return 2
        # The token alone on stdout, so scripts can capture it; it is never logged.
        print(issued.token)
        return 0

    return _run(settings, work)


def cmd_staff_revoke_token(settings: Settings, args: argparse.Namespace) -> int:
    from core.errors import DomainError
    from core.staff import services

    async def work(runtime: Runtime) -> int:
        try:
            await services.revoke_token(runtime.uow(), prefix=args.prefix)
        except DomainError as error:
            print(f"omnicart staff revoke-token: {error}", file=sys.stderr)
            return 2
        print(f"revoked {args.prefix}")
        return 0

    return _run(settings, work)


def cmd_staff_list_tokens(settings: Settings, _: argparse.Namespace) -> int:
    from core.staff import queries

    async def work(runtime: Runtime) -> int:
        async with runtime.reads.connect() as connection:
            tokens = await queries.all_tokens(connection)
        for token in tokens:
            state = "revoked" if token.revoked_at else "active"
            # Tab-separated: prefix, owner, scopes, locations ("*" for every one), state.
            where = ",".join(token.locations) or "*"
            print(f"{token.prefix}\t{token.staff_name}\t{','.join(token.scopes)}\t{where}\t{state}")
        return 0

    return _run(settings, work)


def cmd_plugins(settings: Settings, _: argparse.Namespace) -> int:
    from core.channels import queries

    async def work(runtime: Runtime) -> int:
        async with runtime.reads.connect() as connection:
            channels = await queries.all_channels(connection)
        for plugin in runtime.plugins.installed.values():
            enabled = [c.slug for c in channels if plugin.name in c.plugin_names]
            source = f"{plugin.distribution} {plugin.version}" if plugin.distribution else "local"
            print(f"{plugin.name}")
            print(f"  module:   {plugin.module} ({source})")
            print(f"  hooks:    {', '.join(plugin.hooks) or '-'}")
            print(f"  channels: {', '.join(enabled) or '(not enabled in any channel)'}")
        return 0

    if is_sqlite(settings.database_url):
        upgrade_url(settings.database_url)
    return _run(settings, work)


def cmd_carts_sweep(settings: Settings, _: argparse.Namespace) -> int:
    from core.carts.sweeper import sweep_carts

    async def work(runtime: Runtime) -> int:
        swept = await sweep_carts(runtime.uow, now=runtime.clock.now())
        print(
            f"deleted {swept.deleted_carts} expired guest carts, released "
            f"{swept.released_reservations} reservations, dropped {swept.deleted_requests} "
            "old idempotency records"
        )
        return 0

    return _run(settings, work)


def cmd_inventory_sweep(settings: Settings, _: argparse.Namespace) -> int:
    from core.maintenance import sweep

    async def work(runtime: Runtime) -> int:
        report = await sweep(runtime)
        print(f"released {report.released} expired reservations")
        print(f"pruned {report.pruned} outbox events")
        return 0

    return _run(settings, work)


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:
    from schema.sdl import print_sdl, sdl_path

    target = args.output or str(sdl_path())
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(print_sdl(settings))
    print(f"wrote {target}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omnicart", description="Omnicart commerce API")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="seed demo data into an empty database")
    serve.add_argument(
        "--migrate", action="store_true", help="migrate first (always done on SQLite)"
    )
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    seed = commands.add_parser("seed", help="load demo data")
    seed.add_argument("--demo", action="store_true", help="the demo retailer")
    seed.add_argument("--force", action="store_true", help="seed even if the catalog has data")
    seed.set_defaults(handler=cmd_seed)

    staff = commands.add_parser("staff", help="staff API tokens")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    create = staff_commands.add_parser("create-token", help="print a new token on stdout")
    create.add_argument("--name", required=True, help="the staff member or integration")
    create.add_argument("--scope", action="append", required=True, help="repeat for more scopes")
    create.add_argument(
        "--location",
        action="append",
        metavar="SLUG",
        help="act only for this location (repeat for more; none: every location)",
    )
    create.set_defaults(handler=cmd_staff_create_token)
    revoke = staff_commands.add_parser("revoke-token", help="revoke a token by its prefix")
    revoke.add_argument("prefix")
    revoke.set_defaults(handler=cmd_staff_revoke_token)
    list_tokens = staff_commands.add_parser(
        "list-tokens", help="tokens (prefix, owner, scopes, locations, state)"
    )
    list_tokens.set_defaults(handler=cmd_staff_list_tokens)

    inventory = commands.add_parser("inventory", help="stock maintenance")
    inventory_commands = inventory.add_subparsers(dest="inventory_command", required=True)
    sweep = inventory_commands.add_parser(
        "sweep",
        help="delete expired reservations and old outbox events now (servers do it periodically)",
    )
    sweep.set_defaults(handler=cmd_inventory_sweep)

    carts = commands.add_parser("carts", help="cart maintenance")
    cart_commands = carts.add_subparsers(dest="carts_command", required=True)
    carts_sweep = cart_commands.add_parser(
        "sweep",
        help="delete expired guest carts and release the stock expired carts hold",
    )
    carts_sweep.set_defaults(handler=cmd_carts_sweep)

    plugins = commands.add_parser("plugins", help="installed plugins and where they are enabled")
    plugins.set_defaults(handler=cmd_plugins)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL (schema.graphql)")
    export.add_argument("--output", help="where to write it (default: schema/schema.graphql)")
    export.set_defaults(handler=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_environ()
    except SettingsError as error:
        print(f"omnicart: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    handler: Callable[[Settings, argparse.Namespace], int] = args.handler
    return handler(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
