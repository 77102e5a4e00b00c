"""Live orders over graphql-transport-ws: ``orderChanged(token)``."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from core.errors import DomainError, ErrorCode
from core.orders.live import watch_order
from schema.context import Context
from schema.errors import bad_input
from schema.orders.types import Order


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
                yield Order.from_view(view, owner=True)
            if first:
                raise bad_input(
                    DomainError.single(
                        ErrorCode.ORDER_NOT_FOUND, "There is no order with this token", "token"
                    )
                )
