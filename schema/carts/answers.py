"""What every cart change mutation shares: its argument help and its answer.

A change's payload carries the whole cart: the changed one, or on errors the cart as
it is (when the token may read it), so a client can rebase and send again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from core.carts import services
from core.carts.services import CartResult
from core.errors import DomainError
from schema.carts.types import Cart
from schema.context import Context
from schema.errors import UserError, user_errors

Info = strawberry.Info[Context, None]

CART_CODES = (
    "INVALID_CART_TOKEN, CART_NOT_FOUND, CART_EXPIRED, CART_NOT_ACTIVE, CART_VERSION_CONFLICT, "
    "IDEMPOTENCY_KEY_REUSED, INVALID"
)
VERSION_HELP = "The version the client last saw: refused with CART_VERSION_CONFLICT if stale."
KEY_HELP = (
    "A unique key per intended change (a UUID): a retry with the same key answers with "
    "the cart and applies nothing twice; the same key with other arguments is refused."
)

P = TypeVar("P")


async def answer(
    info: Info,
    payload: Callable[..., P],
    token: str,
    change: Callable[[], Awaitable[CartResult]],
) -> P:
    """``payload(cart=..., replayed=...)`` for a change made, or
    ``payload(cart=<the cart as it is>, errors=...)`` for a ``DomainError``."""
    context = info.context
    try:
        result = await change()
    except DomainError as error:
        current = await services.read_cart(
            context.runtime.uow(), token, await context.cart_caller()
        )
        cart = None if current is None else Cart.from_priced(current, token, context)
        errors: list[UserError] = user_errors(error, prefix=None)
        return payload(cart=cart, errors=errors)
    return payload(cart=Cart.from_priced(result.cart, token, context), replayed=result.replayed)
