"""Live carts: a cart as it changes, for every device holding its token.

Used by the ``cartChanged`` subscription. It listens on the event bus (topic ``cart``,
``CartChanged`` by cart id, from every server process: ``core.events``), re-reads the
cart when its id comes by (or when the bus says messages may have been lost) and
yields it when its version moved (``core.events.watch``). The first yield is the cart
as it is. It ends when the cart is gone (swept) or the caller may no longer read it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from core.carts import services
from core.carts.events import CART_TOPIC
from core.carts.model import PricedCart
from core.carts.services import Caller
from core.events.watch import watch
from core.runtime import Runtime


def watch_cart(runtime: Runtime, *, token: str, caller: Caller) -> AsyncGenerator[PricedCart, None]:
    """Yield the cart of ``token`` at once, then whenever its version changes."""
    return watch(
        runtime.bus,
        CART_TOPIC,
        lambda: services.read_cart(runtime.uow(), token, caller),
        lambda priced: priced.cart.id,
        lambda priced: priced.cart.version,
    )
