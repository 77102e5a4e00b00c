"""Live orders: an order as it changes, for the holder of its token or its customer.

Used by the ``orderChanged`` subscription, as ``core.carts.live`` is by
``cartChanged``: subscribe to topic ``order`` first, read the order second (so no
change falls between), then re-read it whenever its id comes by on the bus (from any
server process) and yield it when its version moved.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from core.orders import services
from core.orders.events import ORDER_TOPIC
from core.orders.services import OrderView
from core.runtime import Runtime


async def watch_order(runtime: Runtime, *, token: str) -> AsyncGenerator[OrderView, None]:
    """Yield the order of ``token`` at once, then whenever its version changes."""
    async with runtime.bus.subscribe(ORDER_TOPIC) as inbox:
        current = await services.order_by_token(runtime.uow(), token)
        if current is None:
            return
        order_id = current.order.id
        last_version: int | None = None
        while current is not None:
            if current.order.version != last_version:
                last_version = current.order.version
                yield current
            async for message in inbox:
                batch = [message, *inbox.pending()]
                if any(m.lagged or order_id in m.subject_ids for m in batch):
                    break
            current = await services.order_by_token(runtime.uow(), token)
