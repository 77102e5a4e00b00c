"""Live carts over graphql-transport-ws (issue 5, point 6)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from core.carts import services
from core.carts.live import watch_cart
from core.errors import DomainError, ErrorCode
from schema.carts.types import Cart
from schema.context import Context
from schema.errors import bad_input


@strawberry.type
class CartSubscription:
    @strawberry.subscription(
        description="The cart of a token: first as it is, then the whole cart (lines, totals, "
        "version) whenever any device changes it, whichever server process made the change. "
        "Ends when the cart is deleted. A malformed or unknown token is BAD_USER_INPUT."
    )
    async def cart_changed(
        self, info: strawberry.Info[Context, None], token: str
    ) -> AsyncGenerator[Cart, None]:
        context = info.context
        problems = services.token_problems(token)
        if problems:
            raise bad_input(DomainError(problems))
        caller = await context.cart_caller()
        updates = watch_cart(context.runtime, token=token, caller=caller)
        async with aclosing(updates):  # unsubscribes from the bus when the client stops
            first = True
            async for priced in updates:
                first = False
                context.renew_loaders()
                yield Cart.from_priced(priced, token, context)
            if first:
                raise bad_input(
                    DomainError.single(
                        ErrorCode.CART_NOT_FOUND, "There is no cart with this token", "token"
                    )
                )
