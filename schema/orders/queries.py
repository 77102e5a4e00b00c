"""Order queries: a guest's ``orderByToken``, staff's ``orders`` and ``order``
(scope ``orders:read``). A customer's orders are ``me.orders``
(``schema.customers.types``).

A location-scoped staff token lists only orders with work at its locations, and
reading any other order by id is ``FORBIDDEN`` (``schema.permissions``)."""

from __future__ import annotations

import base64
from datetime import datetime

import orjson
import strawberry

from core.errors import DomainError
from core.ids import ChannelId, OrderId
from core.orders import services
from core.orders.locations import order_location_ids
from core.orders.model import OrderStatus as OrderStatusValue
from core.orders.services import OrderCursor, OrderFilter, OrderPage
from schema.context import Context
from schema.errors import ApiError, ApiErrorCode, bad_input
from schema.orders.types import Order, OrderConnection, OrderEdge, OrderStatus
from schema.permissions import CanReadOrders, require_any_location, staff_principal
from schema.relay import PageInfo, from_global_id

Info = strawberry.Info[Context, None]


def encode_order_cursor(order: Order) -> str:
    payload = [order.created_at.isoformat(), order.order_id]
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def decode_order_cursor(raw: str | None) -> OrderCursor | None:
    if raw is None:
        return None
    try:
        created_at, order_id = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        return OrderCursor(datetime.fromisoformat(created_at), OrderId(int(order_id)))
    except (ValueError, TypeError):
        raise ApiError("This is not an order cursor", ApiErrorCode.BAD_USER_INPUT) from None


def connection_of(page: OrderPage, *, owner: bool = False) -> OrderConnection:
    nodes = [Order.from_view(view, owner=owner) for view in page.orders]
    edges = [OrderEdge(cursor=encode_order_cursor(node), node=node) for node in nodes]
    return OrderConnection(
        edges=edges,
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=False,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.input(description="Staff's order search; every given field must match.")
class OrderFilterInput:
    channel: str | None = strawberry.field(default=None, description="Channel slug.")
    status: OrderStatus | None = None  # type: ignore[valid-type]
    created_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    created_to: datetime | None = strawberry.field(default=None, description="Exclusive.")
    email: str | None = None


@strawberry.type
class OrdersQuery:
    @strawberry.field(
        description="A guest's order by the orderToken checkout gave; null for any other "
        "string (it never tells whether an order exists)."
    )
    async def order_by_token(self, info: Info, token: str) -> Order | None:
        view = await services.order_by_token(info.context.runtime.uow(), token)
        return None if view is None else Order.from_view(view, owner=True)

    @strawberry.field(
        description="Every channel's orders, newest first (staff, scope orders:read). A "
        "location-scoped token lists only the orders with work at its locations (a pickup "
        "there, or units allocated there).",
        permission_classes=[CanReadOrders],
    )
    async def orders(
        self,
        info: Info,
        filter: OrderFilterInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> OrderConnection:
        runtime = info.context.runtime
        wanted = filter or OrderFilterInput()
        channel_id = None
        if wanted.channel is not None:
            channel = await runtime.channels.by_slug(wanted.channel)
            if channel is None:
                raise ApiError(
                    f"There is no channel {wanted.channel!r}", ApiErrorCode.BAD_USER_INPUT
                )
            channel_id = ChannelId(channel.id)
        principal = await staff_principal(info.context)
        where = OrderFilter(
            channel_id=channel_id,
            status=None if wanted.status is None else OrderStatusValue(wanted.status),
            created_from=wanted.created_from,
            created_to=wanted.created_to,
            email=wanted.email,
            location_ids=principal.locations,
        )
        try:
            page = await services.staff_orders(
                runtime.uow(), where, first=first, after=decode_order_cursor(after)
            )
        except DomainError as error:
            raise bad_input(error) from None
        return connection_of(page)

    @strawberry.field(
        description="One order by id (staff, scope orders:read); null when there is none. "
        "FORBIDDEN for a location-scoped token when the order has no work at its locations.",
        permission_classes=[CanReadOrders],
    )
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        try:
            _, key = from_global_id(id, "Order")
        except DomainError:
            return None
        principal = await staff_principal(info.context)
        view = await services.staff_order(info.context.runtime.uow(), OrderId(key))
        if view is None:
            return None
        require_any_location(principal, order_location_ids(view.order))
        return Order.from_view(view)
