"""The per-request context: runtime, request, channel resolution and DataLoaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cached_property

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from core.carts.services import Caller, CartLimits
from core.channels.model import Channel
from core.customers import services as customer_services
from core.customers.model import Customer, CustomerSession
from core.errors import DomainError, ErrorCode
from core.runtime import Runtime
from core.staff import queries as staff_queries
from core.staff.model import StaffPrincipal
from schema.errors import ApiError, ApiErrorCode, bad_input
from schema.loaders import Loaders, LoadersFactory

CHANNEL_HEADER = "omnicart-channel"


@dataclass
class Context:
    runtime: Runtime
    request: Request | WebSocket
    # The app's composition of the domains' loaders (``schema.app.build_loaders``).
    loaders_factory: LoadersFactory
    response: Response | None = None
    # A WebSocket's ``connection_init`` payload: strawberry's graphql-transport-ws
    # handler sets it on a context that has this attribute (browsers cannot send
    # headers on a WebSocket, so the session token comes here; ``bearer_token``).
    connection_params: dict[str, object] | None = None
    _channel_lookups: dict[str, asyncio.Future[Channel]] = field(default_factory=dict)
    _channels_by_id: dict[int, Channel] = field(default_factory=dict)
    _staff: StaffPrincipal | None = None
    _staff_checked: bool = False
    _customer_lookup: asyncio.Future[CustomerSession | None] | None = None

    @cached_property
    def loaders(self) -> Loaders:
        """This request's DataLoaders, built on first use (hot reads look ahead instead)."""
        return self.loaders_factory(self.runtime, self.known_channel)

    def renew_loaders(self) -> None:
        """Forget the DataLoaders and what they cached. A subscription lives as long as
        its connection: it calls this before each update it pushes, so that every
        update reads what is true then (a loader's cache would keep the first one's)."""
        self.__dict__.pop("loaders", None)

    def requested_channel_slug(self, argument: str | None) -> str:
        """The argument, else the ``Omnicart-Channel`` header, else the configured default."""
        if argument:
            return argument
        header = self.request.headers.get(CHANNEL_HEADER)
        return header or self.runtime.settings.default_channel

    async def channel(self, argument: str | None = None) -> Channel:
        """Resolve the request's channel once per slug; an unknown one is a clear error.

        Concurrent resolvers share one lookup (a task per slug), so that they all
        resume in the same loop iteration and their DataLoader calls batch together.
        """
        slug = self.requested_channel_slug(argument)
        lookup = self._channel_lookups.get(slug)
        if lookup is None:
            lookup = asyncio.ensure_future(self._load_channel(slug))
            self._channel_lookups[slug] = lookup
        return await asyncio.shield(lookup)

    async def _load_channel(self, slug: str) -> Channel:
        channel = await self.runtime.channels.by_slug(slug)
        if channel is None:
            raise bad_input(
                DomainError.single(
                    ErrorCode.UNKNOWN_CHANNEL, f"There is no channel {slug!r}", "channel"
                )
            )
        self._channels_by_id[channel.id] = channel
        return channel

    def remember_channel(self, channel: Channel) -> None:
        """A channel a service read (a cart's), for loaders that price in it."""
        self._channels_by_id.setdefault(channel.id, channel)

    async def cart_caller(self) -> Caller:
        """Who asks for a cart: the logged-in customer, else only the token holder.

        A bearer token that is not a live customer session is refused (UNAUTHENTICATED),
        as for ``me``: the client should drop it rather than act as a guest unawares.
        """
        if self.bearer_token() is None:
            return Caller()
        session = await self.customer_session()
        if session is None:
            raise ApiError(
                "The Authorization token is not a live customer session",
                ApiErrorCode.UNAUTHENTICATED,
            )
        return Caller(session.customer.id)

    def cart_limits(self) -> CartLimits:
        settings = self.runtime.settings
        return CartLimits(
            max_line_quantity=settings.cart_max_line_quantity, max_lines=settings.cart_max_lines
        )

    def known_channel(self, channel_id: int) -> Channel:
        """A channel this request already resolved (loaders only run after that)."""
        return self._channels_by_id[channel_id]

    def bearer_token(self) -> str | None:
        """The ``Authorization: Bearer <token>`` value, if the request has one.

        On a WebSocket whose upgrade request had no ``Authorization`` header, the
        ``authorization`` (or ``Authorization``) connection parameter of
        ``connection_init`` stands in for it, with the same ``Bearer <token>`` value.
        """
        header = self.request.headers.get("authorization")
        if header is None:
            header = self._connection_authorization()
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def _connection_authorization(self) -> str | None:
        params = self.connection_params or {}
        value = params.get("authorization", params.get("Authorization"))
        return value if isinstance(value, str) else None

    async def staff(self) -> StaffPrincipal | None:
        """The staff member behind the request's bearer token (looked up once)."""
        if not self._staff_checked:
            token = self.bearer_token()
            if token is not None:
                async with self.runtime.reads.connect() as connection:
                    self._staff = await staff_queries.principal_for_token(connection, token)
            self._staff_checked = True
        return self._staff

    async def customer_session(self) -> CustomerSession | None:
        """The live customer session behind the bearer token (looked up once per request).

        None without a token, and for a staff token, which has another pattern and is
        never looked up here (nor a customer token among staff tokens). Concurrent
        resolvers share the one lookup.
        """
        if self._customer_lookup is None:
            token = self.bearer_token()
            if token is None:
                return None
            self._customer_lookup = asyncio.ensure_future(
                customer_services.authenticate(self.runtime, token=token)
            )
        return await asyncio.shield(self._customer_lookup)

    async def customer(self) -> Customer | None:
        """The logged-in customer, or None (no token, or not a live customer session)."""
        session = await self.customer_session()
        return session.customer if session is not None else None
