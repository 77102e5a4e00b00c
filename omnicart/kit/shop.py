"""An in-process Omnicart for a plugin's tests: the demo retailer on a test database,
one plugin enabled in one channel, the ASGI app and a GraphQL client against it."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from core.channels.model import EnabledPlugin
from core.channels.services import update_channel
from core.clock import FrozenClock
from core.config import Settings
from core.customers.model import Customer
from core.db.reads import Reads
from core.demo.seed import seed_demo
from core.errors import DomainError
from core.event_hooks.dispatcher import EventDispatcher
from core.ids import ChannelId
from core.plugin_host import PluginHost
from core.runtime import Runtime
from core.staff.model import Scope
from omnicart.kit import accounts
from omnicart.kit.checkout import CREATE, checkout, prepare
from omnicart.kit.clock import FROZEN_AT
from omnicart.kit.database import empty_tables
from omnicart.kit.demo import Demo, read_demo
from omnicart.kit.graphql import GraphQL, GraphQLClient, GraphQLErrors
from schema.app import create_app

# The password of every ``Omnicart.customer`` account.
CUSTOMER_PASSWORD = "correct horse battery"


@dataclass(frozen=True, slots=True)
class Shopper:
    """A registered customer and the token of a session they logged in with."""

    customer: Customer
    email: str
    token: str


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """An order placed through checkout: as the buyer sees it, and its order token."""

    order: dict[str, Any]
    order_token: str

    @property
    def id(self) -> str:
        """The order's global ID."""
        return str(self.order["id"])


@dataclass
class Omnicart:
    """A running Omnicart with the demo retailer and the plugin under test enabled."""

    runtime: Runtime
    app: Starlette
    http: httpx.AsyncClient
    graphql: GraphQL
    demo: Demo
    # The plugin under test as the channel enables it, and that channel's slug.
    plugin: str
    channel: str
    # Numbers the checkout idempotency keys of ``place_order``.
    _keys: Iterator[int] = field(default_factory=itertools.count, init=False, repr=False)

    @property
    def engine(self) -> AsyncEngine:
        """Omnicart's database, where a plugin may keep its own tables."""
        return self.runtime.engine

    @property
    def database_url(self) -> str:
        return self.runtime.settings.database_url

    @property
    def clock(self) -> FrozenClock:
        """The runtime's clock, frozen at ``FROZEN_AT``; ``advance`` it to move time."""
        assert isinstance(self.runtime.clock, FrozenClock)
        return self.runtime.clock

    async def staff_token(
        self, scopes: Sequence[Scope | str] = (), locations: Sequence[str] | None = None
    ) -> str:
        """A staff token with ``scopes`` (every scope when empty), acting for the
        locations of the slugs ``locations`` (every location when None)."""
        return await accounts.staff_token(
            self.runtime, *(Scope(scope) for scope in scopes), locations=locations or ()
        )

    async def customer(self, email: str = "ann@example.com", *, name: str = "Ann Lee") -> Shopper:
        """Register ``email`` and log in: the customer and their session token."""
        customer = await accounts.make_customer(
            self.runtime, email=email, password=CUSTOMER_PASSWORD, name=name
        )
        session = await accounts.log_in_customer(
            self.runtime, email=email, password=CUSTOMER_PASSWORD
        )
        return Shopper(customer, customer.email, session.token)

    async def deliver_events(self) -> int:
        """Give every committed event to the ``omnicart_event`` plugins, until nothing
        is left to give; how many deliveries were made. An event a plugin failed on
        waits for its retry (the clock decides when), as in production."""
        dispatcher = EventDispatcher(self.runtime)
        total = 0
        while delivered := await dispatcher.deliver():
            total += delivered
        return total

    async def place_order(
        self,
        *,
        channel: str | None = None,
        sku: str | None = None,
        quantity: int = 1,
        shopper: Shopper | None = None,
        email: str = "ann@example.com",
        delivery: str = "shipping:standard",
    ) -> PlacedOrder:
        """A cart with ``quantity`` of ``sku`` (the first demo SKU by default) in
        ``channel`` (the plugin's by default), shipped home and paid with the test
        gateway; the order. ``shopper`` places it logged in. Fails on any error."""
        client = self.graphql.client
        if shopper is not None:
            client = client.with_headers(**accounts.bearer(shopper.token))
        variant = self.demo.variants[sku or self.demo.skus[0]]
        body = await client(
            CREATE,
            {
                "input": {
                    "channel": channel or self.channel,
                    "lines": [{"variantId": variant, "quantity": quantity}],
                }
            },
        )
        created = _payload(body, "cartCreate")
        token = created["cart"]["token"]
        await prepare(
            client,
            token,
            handles={"delivery-1": delivery},
            email=shopper.email if shopper is not None else email,
        )
        placed = await checkout(client, token, key=f"omnicart-kit-order-{next(self._keys)}")
        assert placed["errors"] == [], placed["errors"]
        return PlacedOrder(placed["order"], placed["orderToken"])


def _payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    if body.get("errors"):
        raise GraphQLErrors(body)
    payload: dict[str, Any] = body["data"][name]
    assert payload["errors"] == [], payload["errors"]
    return payload


def plugin_host(plugin: str | object, name: str) -> PluginHost:
    """The installed plugins, plus ``plugin`` under ``name`` when it is an object or
    module not installed by entry point."""
    host = PluginHost.load()
    if isinstance(plugin, str):
        if plugin not in host.installed:
            raise LookupError(
                f"No plugin named {plugin!r} is installed (entry-point group omnicart.plugins); "
                f"installed: {', '.join(sorted(host.installed))}"
            )
        return host
    if isinstance(plugin, ModuleType) and any(
        installed.module == plugin.__name__ for installed in host.installed.values()
    ):
        return host
    return PluginHost.load(extra={name: plugin})


def plugin_name(plugin: str | object) -> str:
    """The name the plugin is enabled by: the entry-point name of an installed one,
    else its module's last name part (``my_plugin`` for ``pkg.my_plugin``), else its
    class name in lower case."""
    if isinstance(plugin, str):
        return plugin
    if isinstance(plugin, ModuleType):
        for installed in PluginHost.load().installed.values():
            if installed.module == plugin.__name__:
                return installed.name
        return plugin.__name__.rpartition(".")[2]
    return type(plugin).__name__.lower()


async def enable(runtime: Runtime, channel: str, plugin: str, settings: Mapping[str, Any]) -> None:
    """Enable ``plugin`` with ``settings`` in ``channel`` (after the plugins it has),
    through the service staff use, so the settings are validated as in production."""
    found = await runtime.channels.by_slug(channel)
    if found is None:
        raise LookupError(f"The demo has no channel {channel!r}")
    plugins = [enabled for enabled in found.plugins if enabled.name != plugin]
    try:
        await update_channel(
            runtime.uow(),
            channel_id=ChannelId(found.id),
            plugins=[*plugins, EnabledPlugin(plugin, dict(settings))],
        )
    except DomainError as error:
        raise ValueError(
            f"Enabling {plugin!r} in {channel!r} was refused: "
            + "; ".join(f"{problem.code}: {problem.message}" for problem in error.problems)
        ) from error


@asynccontextmanager
async def open_shop(
    *,
    engine: AsyncEngine,
    reads: Reads,
    plugin: str | object,
    name: str,
    channel: str,
    settings: Mapping[str, Any],
) -> AsyncIterator[Omnicart]:
    """Empty the database, seed the demo, enable ``plugin`` as ``name`` in ``channel``
    and serve the app in process until the block ends."""
    await empty_tables(engine)
    database_url = engine.url.render_as_string(hide_password=False)
    host = plugin_host(plugin, name)
    runtime = Runtime.build(
        Settings(database_url=database_url, default_channel=channel, channel_cache_seconds=0),
        engine=engine,
        reads=reads,
        clock=FrozenClock(FROZEN_AT),
        plugins=host,
    )
    await seed_demo(runtime, only_if_empty=False)
    await enable(runtime, channel, name, settings)
    demo = await read_demo(runtime)
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Omnicart(
                runtime=runtime,
                app=app,
                http=http,
                graphql=GraphQL(GraphQLClient(http)),
                demo=demo,
                plugin=name,
                channel=channel,
            )
    finally:
        await runtime.bus.close()
