"""Watching one thing as it changes: read it, then read it again whenever the bus says
it may have changed, and yield it each time its version moved.

Used by the live cart (``core.carts.live``) and the live order (``core.orders.live``).
Subscribing first and reading second means no change falls between a client's query
and its subscription. A message naming the watched id, or one saying messages may have
been lost (``lagged``), triggers a re-read; the watch ends when the read finds nothing
(the thing is gone, or the caller may no longer see it).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

from core.events.bus import EventBus

T = TypeVar("T")


async def watch(
    bus: EventBus,
    topic: str,
    read: Callable[[], Awaitable[T | None]],
    subject_id: Callable[[T], int],
    version: Callable[[T], int],
) -> AsyncGenerator[T, None]:
    """Yield ``read()`` at once, then whenever its version changes (see the module)."""
    async with bus.subscribe(topic) as inbox:
        current = await read()
        if current is None:
            return
        watched = subject_id(current)
        last_version: int | None = None
        while current is not None:
            if version(current) != last_version:
                last_version = version(current)
                yield current
            async for message in inbox:
                batch = [message, *inbox.pending()]
                if any(m.lagged or watched in m.subject_ids for m in batch):
                    break
            current = await read()
