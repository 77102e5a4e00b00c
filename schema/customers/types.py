"""GraphQL types for customers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.carts import services as cart_services
from core.customers import model
from core.errors import DomainError
from core.ids import ChannelId, CustomerId
from core.orders import services as order_services
from schema.carts.types import Cart
from schema.context import Context
from schema.errors import bad_input
from schema.orders.queries import connection_of, decode_order_cursor
from schema.orders.types import OrderConnection
from schema.relay import Node, to_global_id


@strawberry.type(
    description="A shopper's account, one across every channel. Only its owner sees it."
)
class Customer(Node):
    id: strawberry.ID
    email: str = strawberry.field(description="In lower case, as it was stored.")
    name: str
    created_at: datetime
    customer_id: strawberry.Private[int]

    @strawberry.field(
        description="The customer's most recently changed active cart in the channel (the "
        "request's channel unless given), with its token; null when there is none."
    )
    async def active_cart(
        self, info: strawberry.Info[Context, None], channel: str | None = None
    ) -> Cart | None:
        context = info.context
        resolved = await context.channel(channel)
        found = await cart_services.active_cart(
            context.runtime.uow(), CustomerId(self.customer_id), ChannelId(resolved.id)
        )
        if found is None or found.token is None:
            return None
        return Cart.from_priced(found.cart, found.token, context)

    @strawberry.field(
        description="The customer's orders in every channel they bought in, newest first."
    )
    async def orders(
        self, info: strawberry.Info[Context, None], first: int = 20, after: str | None = None
    ) -> OrderConnection:
        try:
            page = await order_services.customer_orders(
                info.context.runtime.uow(),
                CustomerId(self.customer_id),
                first=first,
                after=decode_order_cursor(after),
            )
        except DomainError as error:
            raise bad_input(error) from None
        return connection_of(page, owner=True)

    @classmethod
    def from_model(cls, customer: model.Customer) -> Customer:
        return cls(
            id=strawberry.ID(to_global_id("Customer", customer.id)),
            email=customer.email,
            name=customer.name,
            created_at=customer.created_at,
            customer_id=customer.id,
        )
