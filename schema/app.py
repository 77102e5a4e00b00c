"""The ASGI application: GraphQL (and GraphiQL) at /graphql, its assets under /static,
health and readiness for operators, and in the demo the example storefront at /."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
import orjson
import strawberry
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from core import maintenance
from core.carts.sweeper import sweep_carts
from core.channels.model import Channel
from core.config import Settings
from core.event_hooks.consumers import plugin_consumers
from core.event_hooks.dispatcher import EventDispatcher
from core.events.bus import BusUnavailable
from core.maintenance import SweepReport, next_sweep_due
from core.runtime import Runtime
from core.webhooks.delivery import webhook_consumers
from schema.catalog import loaders as catalog_loaders
from schema.channels import loaders as channel_loaders
from schema.context import Context
from schema.errors import RETRY_AFTER_SECONDS, unanswered_for_outage
from schema.execution import FastExecutionContext, fast_execution_problems
from schema.feeds.routes import feed_routes
from schema.graphiql import graphiql_assets_route, graphiql_page
from schema.inventory import loaders as inventory_loaders
from schema.loaders import Loaders
from schema.orders import loaders as order_loaders
from schema.orders.marketplace_endpoint import marketplace_orders_route
from schema.protection import BodySizeLimit
from schema.schema import build_schema
from schema.storefront import storefront_routes
from schema.webhooks.sender import HttpxSender
from schema.webhooks.types import webhook_label

logger = logging.getLogger(__name__)


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends graphql-transport-ws messages as text frames.

    strawberry sends the bytes ``encode_json`` (orjson) returns as binary frames; a
    browser hands those to its graphql-ws client (GraphiQL's, a storefront's) as a
    Blob, which it refuses ("Message is missing the 'type' property"). The protocol's
    messages are JSON text, so they go out as text, whatever the encoder returns.
    """

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class OmnicartGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = TextFrameWebSocketAdapter

    def __init__(
        self, schema: strawberry.Schema, runtime: Runtime, *, allowed_origins: Sequence[str] = ()
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if runtime.settings.graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Browsers apply no CORS to a WebSocket handshake: strawberry refuses one from
            # another origin (403) unless it is listed here.
            allowed_origins=allowed_origins,
        )
        self.runtime = runtime

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page, its assets served by this app (schema/graphiql.py), not a CDN.
        return HTMLResponse(graphiql_page(request.scope.get("root_path", "")))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            runtime=self.runtime,
            request=request,
            loaders_factory=build_loaders,
            response=response if isinstance(response, Response) else None,
        )

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        # A request the database outage left without any data is a 503, so that
        # clients and proxies retrying on 5xx retry it; the body stays GraphQL's.
        answers = response_data if isinstance(response_data, list) else [response_data]
        if answers and all(unanswered_for_outage(answer) for answer in answers):
            sub_response.status_code = 503
            sub_response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        return super().create_response(response_data, sub_response)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)


def build_loaders(runtime: Runtime, channel_of: Callable[[int], Channel]) -> Loaders:
    """A request's DataLoaders, one per relation and direction (``schema.loaders``)."""
    reads = runtime.reads
    plugins = runtime.plugins
    clock = runtime.clock
    return Loaders(
        products_by_id=catalog_loaders.products_by_id(reads),
        variants_by_product_id=catalog_loaders.variants_by_product_id(reads, plugins, channel_of),
        variants_by_id=catalog_loaders.variants_by_id(reads, plugins, channel_of),
        images_by_product_id=catalog_loaders.images_by_product_id(reads),
        categories_by_id=catalog_loaders.categories_by_id(reads),
        categories_by_parent_id=catalog_loaders.categories_by_parent_id(reads),
        supply_by_channel_id=channel_loaders.supply_by_channel_id(reads),
        availability_by_variant_id=inventory_loaders.availability_by_variant_id(
            reads, plugins, channel_of, clock
        ),
        in_stock_by_product_id=inventory_loaders.in_stock_by_product_id(
            reads, plugins, channel_of, clock
        ),
        pickup_stock_by_variant_id=inventory_loaders.pickup_stock_by_variant_id(
            reads, channel_of, clock
        ),
        fulfilments_by_order_id=order_loaders.fulfilments_by_order_id(reads),
        pickups_by_order_id=order_loaders.pickups_by_order_id(reads, runtime.keys),
        returns_by_order_id=order_loaders.returns_by_order_id(reads),
        refunds_by_order_id=order_loaders.refunds_by_order_id(reads),
    )


def _middleware(settings: Settings) -> list[Middleware]:
    middleware = [Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)]
    if settings.cors_origins:
        # Browsers on other origins (storefronts) may call the API; cookies are not used.
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type", "omnicart-channel"],
                max_age=600,
            ),
        )
    return middleware


# What the periodic sweep runs: ``core.maintenance.sweep`` (tests give another).
Sweep = Callable[[Runtime], Awaitable[SweepReport]]


def create_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    execution_problems: Sequence[str] | None = None,
    sweep: Sweep = maintenance.sweep,
) -> Starlette:
    """Build the app. ``runtime`` is injected by tests; otherwise built from ``settings``.

    An injected runtime belongs to the caller, who closes it; the app closes its own.
    ``execution_problems`` is what keeps the fast executor from answering, injected by
    tests; otherwise ``fast_execution_problems()`` reads it off the installed libraries.
    With any, graphql-core's default executor (strawberry's own) answers instead: the
    same answers, more slowly, and one WARNING says why. ``sweep`` is what the periodic
    sweep runs between its waits (``sweep_periodically``), injected by tests too.
    """
    owns_runtime = runtime is None
    runtime = runtime or Runtime.build(settings)
    problems = (
        fast_execution_problems() if execution_problems is None else tuple(execution_problems)
    )
    if problems:
        logger.warning(
            "fast executor not in use, graphql-core's default executor answers instead "
            "(slower; docs/operations.md) reasons=%s",
            "; ".join(problems),
        )
    schema = build_schema(
        settings, execution_context_class=None if problems else FastExecutionContext
    )
    # The origins CORS lets call over HTTP may subscribe over the WebSocket too.
    graphql = OmnicartGraphQL(schema, runtime, allowed_origins=settings.cors_origins)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            async with runtime.reads.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # the boundary: any database failure means "not ready"
            logger.warning("readiness check failed: database unreachable", exc_info=True)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        interval = settings.sweep_interval_seconds
        try:
            await runtime.bus.start()
        except BusUnavailable:  # subscriptions retry when they start; the rest works
            logger.warning("event bus not started; database unreachable", exc_info=True)
        sweeper = (
            asyncio.create_task(sweep_periodically(runtime, interval, sweep)) if interval else None
        )
        # Plugin event hooks and webhooks (core.event_hooks): one dispatcher, one cursor
        # per plugin or webhook. Webhooks are listed on each pass: staff add them anytime.
        events_interval = settings.event_hooks_interval_seconds
        webhook_http = httpx.AsyncClient(follow_redirects=False)
        webhook_sender = HttpxSender(webhook_http, timeout_seconds=settings.webhook_timeout_seconds)
        deliverer = (
            asyncio.create_task(
                EventDispatcher(
                    runtime,
                    sources=(
                        plugin_consumers(runtime.plugins),
                        webhook_consumers(runtime, webhook_sender, webhook_label),
                    ),
                ).run(events_interval)
            )
            if events_interval
            else None
        )
        try:
            yield
        finally:
            await runtime.bus.close()
            for task in (sweeper, deliverer):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await webhook_http.aclose()
            if owns_runtime:
                await runtime.close()

    routes: list[Any] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *([graphiql_assets_route()] if settings.graphiql else []),
        marketplace_orders_route(runtime),
        *feed_routes(runtime),
        # Last: the storefront answers every path the routes above leave.
        *(storefront_routes() if settings.serve_storefront else []),
    ]
    app = Starlette(
        routes=routes,
        middleware=_middleware(settings),
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app


# Sweep this long after the next expiry, so that it has passed on the sweeper's clock too.
EXPIRY_SLACK_SECONDS = 0.05
# Never sweep again sooner than this (or the interval, if shorter), whatever is overdue.
MIN_PAUSE_SECONDS = 1.0


async def sweep_periodically(runtime: Runtime, interval: float, sweep: Sweep) -> None:
    """Sweep (``core.maintenance``, then expired carts) at every reservation expiry, and
    at least every ``interval`` seconds.

    Before each sweep it sleeps until the next reservation expires, or ``interval``
    seconds if that is sooner, so that an expiry is released (and pushed to
    subscribers) as it happens. A reservation taken during a pause that expires
    sooner waits for the end of that pause, at most ``interval``.

    Every worker process runs one; sweeps that overlap are safe (see
    ``core.inventory.sweeper``). A failed sweep is logged and the next one tried.
    """
    while True:
        try:
            await asyncio.sleep(_pause_until(await next_sweep_due(runtime), runtime, interval))
            report = await sweep(runtime)
        except Exception:  # the boundary: a failed sweep must not stop the server
            logger.exception("reservation sweep failed; trying again in %s s", interval)
            await asyncio.sleep(interval)
            continue
        if report.released:
            logger.info("reservation sweep released=%d", report.released)
        if report.pruned:
            logger.info("outbox pruned events=%d", report.pruned)
        try:
            await sweep_carts(runtime.uow, now=runtime.clock.now())
        except Exception:  # the boundary: a failed sweep must not stop the server
            logger.exception("cart sweep failed; trying again later")


def _pause_until(due: datetime | None, runtime: Runtime, interval: float) -> float:
    if due is None:
        return interval
    seconds = (due - runtime.clock.now()).total_seconds() + EXPIRY_SLACK_SECONDS
    return min(interval, max(seconds, MIN_PAUSE_SECONDS))
