"""Cart queries: a cart by its token, on any device."""

from __future__ import annotations

import strawberry

from core.carts import services
from core.errors import DomainError
from schema.carts.types import Cart
from schema.context import Context
from schema.errors import bad_input

Info = strawberry.Info[Context, None]


@strawberry.type
class CartQuery:
    @strawberry.field(
        description="The cart of a token, priced now; null when there is none or it belongs "
        "to another customer. A malformed token is BAD_USER_INPUT (INVALID_CART_TOKEN)."
    )
    async def cart(self, info: Info, token: str) -> Cart | None:
        context = info.context
        problems = services.token_problems(token)
        if problems:
            raise bad_input(DomainError(problems))
        priced = await services.read_cart(context.runtime.uow(), token, await context.cart_caller())
        return None if priced is None else Cart.from_priced(priced, token, context)
