"""Live orders: an order as it changes, for the holder of its token.

Used by the ``orderChanged`` subscription, as ``core.carts.live`` is by
``cartChanged`` (``core.events.watch``): topic ``order``, re-read whenever the
order's id comes by on the bus (from any server process), yielded when its version
moved.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from core.events.watch import watch
from core.orders import services
from core.orders.events import ORDER_TOPIC
from core.orders.services import OrderView
from core.runtime import Runtime


def watch_order(runtime: Runtime, *, token: str) -> AsyncGenerator[OrderView, None]:
    """Yield the order of ``token`` at once, then whenever its version changes."""
    return watch(
        runtime.bus,
        ORDER_TOPIC,
        lambda: services.order_by_token(runtime.uow(), token),
        lambda view: view.order.id,
        lambda view: view.order.version,
    )
