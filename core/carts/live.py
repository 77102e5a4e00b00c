"""Live carts: a cart as it changes, for every device holding its token.

Used by the ``cartChanged`` subscription. It listens on the event bus (topic ``cart``,
``CartChanged`` by cart id, from every server process: ``core.events``), re-reads the
cart when its id comes by (or when the bus says messages may have been lost) and
yields it when its version moved. The first yield is the cart as it is: subscribing
first and reading second means no change falls between a client's query and its
subscription. It ends when the cart is gone (swept) or the caller may no longer read it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from core.carts import services
from core.carts.events import CART_TOPIC
from core.carts.model import PricedCart
from core.carts.services import Caller
from core.runtime import Runtime


async def watch_cart(
    runtime: Runtime, *, token: str, caller: Caller
) -> AsyncGenerator[PricedCart, None]:
    """Yield the cart of ``token`` at once, then whenever its version changes."""
    async with runtime.bus.subscribe(CART_TOPIC) as inbox:
        current = await services.read_cart(runtime.uow(), token, caller)
        if current is None:
            return
        cart_id = current.cart.id
        last_version: int | None = None
        while current is not None:
            if current.cart.version != last_version:
                last_version = current.cart.version
                yield current
            async for message in inbox:
                batch = [message, *inbox.pending()]
                if any(m.lagged or cart_id in m.subject_ids for m in batch):
                    break
            current = await services.read_cart(runtime.uow(), token, caller)
