"""Live orders over graphql-transport-ws: ``orderChanged(token)`` for the holder of an
order token, ``myOrdersChanged`` for a logged-in customer's orders, and
``orderEvents(locationIds)`` for the staff of stores and warehouses (issue 14)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from core.errors import DomainError, ErrorCode
from core.ids import LocationId
from core.orders.customer_live import watch_customer_orders
from core.orders.live import watch_order
from core.orders.location_events import LocationEvent, watch_location_events
from core.staff.model import StaffPrincipal
from schema.context import Context
from schema.errors import ApiError, ApiErrorCode, bad_input
from schema.inputs import decode_ids
from schema.orders.types import Order
from schema.permissions import CanWatchOrders, signed_in, staff_principal
from schema.relay import to_global_id


@strawberry.type(
    description="An order event that concerns a store or warehouse, as it committed: "
    "a new order (OrderPlaced), a cancellation (OrderCancelled), and the fulfilment, "
    "pickup, reroute and return events of the order's locations."
)
class OrderEvent:
    type: str = strawberry.field(
        description="The event's type: 'OrderPlaced', 'OrderCancelled', "
        "'OrderReadyForPickup', ... (the names the omnicart_event hook receives)."
    )
    order: Order = strawberry.field(
        description="The order as it is when the event is pushed (it may already show "
        "later changes, whose own events follow)."
    )
    location_ids: list[strawberry.ID] = strawberry.field(
        description="Every location the event concerns (Location ids)."
    )

    @classmethod
    def from_event(cls, event: LocationEvent) -> OrderEvent:
        return cls(
            type=event.type,
            order=Order.from_view(event.order),
            location_ids=[
                strawberry.ID(to_global_id("Location", location_id))
                for location_id in event.location_ids
            ],
        )


def watched_locations(
    principal: StaffPrincipal, location_ids: list[strawberry.ID] | None
) -> frozenset[LocationId] | None:
    """The locations to watch: those asked, else every one the token acts for (None:
    all). Asking for one the token does not act for is ``FORBIDDEN``."""
    if not location_ids:
        return principal.locations
    try:
        keys = decode_ids(location_ids, "Location", field="locationIds.{}")
    except DomainError as error:
        raise bad_input(error) from None
    asked = frozenset(LocationId(key) for key in keys)
    if principal.locations is not None and not asked <= principal.locations:
        raise ApiError("This token does not act for every location asked", ApiErrorCode.FORBIDDEN)
    return asked


@strawberry.type
class OrderSubscription:
    @strawberry.subscription(
        description="The order of an orderToken: first as it is, then whenever its status "
        "or payment status changes, whichever server process changed it. An unknown token "
        "is BAD_USER_INPUT (ORDER_NOT_FOUND)."
    )
    async def order_changed(
        self, info: strawberry.Info[Context, None], token: str
    ) -> AsyncGenerator[Order, None]:
        updates = watch_order(info.context.runtime, token=token)
        async with aclosing(updates):
            first = True
            async for view in updates:
                first = False
                info.context.renew_loaders()
                yield Order.from_view(view, owner=True)
            if first:
                raise bad_input(
                    DomainError.single(
                        ErrorCode.ORDER_NOT_FOUND, "There is no order with this token", "token"
                    )
                )

    @strawberry.subscription(
        description="The logged-in customer's orders, each pushed whenever it changes "
        "(status, payment status, fulfilments, pickups, returns...), whichever server "
        "process changed it, including orders the customer places after subscribing, in "
        "any channel. Needs a live customer session: over a WebSocket, send "
        "'Bearer <token>' as the 'authorization' connection parameter of connection_init "
        "(or the Authorization header on the upgrade request); without one (no token, an "
        "expired or revoked one, a staff token) it is UNAUTHENTICATED. Nothing is pushed "
        "at the start: read me { orders } after subscribing; an order may then come at a "
        "version already read (keep the newer version). The subscription completes when "
        "the session ends (customerLogout, expiry, a password change on another device): "
        "at the first change of the customer's orders after that, without pushing it."
    )
    async def my_orders_changed(
        self, info: strawberry.Info[Context, None]
    ) -> AsyncGenerator[Order, None]:
        session = await signed_in(info.context)
        token = info.context.bearer_token()
        assert token is not None  # the session was found by it
        updates = watch_customer_orders(
            info.context.runtime, customer_id=session.customer.id, session_token=token
        )
        async with aclosing(updates):  # leaves the bus as soon as the client stops
            async for view in updates:
                info.context.renew_loaders()
                yield Order.from_view(view, owner=True)

    @strawberry.subscription(
        description="Staff (scope orders:read or orders:manage): the order events "
        "concerning the locations given, as they commit in any server process: new "
        "click-and-collect and ship-from orders, cancellations, pickups, reroutes and "
        "returns. Omitted or empty: every location the token acts for (all, for a token "
        "without a location scope). A location-scoped token asking for another location "
        "is FORBIDDEN. Nothing is pushed at the start: read the orders query after "
        "subscribing.",
        permission_classes=[CanWatchOrders],
    )
    async def order_events(
        self,
        info: strawberry.Info[Context, None],
        location_ids: list[strawberry.ID] | None = None,
    ) -> AsyncGenerator[OrderEvent, None]:
        principal = await staff_principal(info.context)
        watched = watched_locations(principal, location_ids)
        events = watch_location_events(info.context.runtime, location_ids=watched)
        async with aclosing(events):  # leaves the bus as soon as the client stops
            async for event in events:
                info.context.renew_loaders()
                yield OrderEvent.from_event(event)
