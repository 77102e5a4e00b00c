"""A wake-up call from this process's commits to whoever waits for committed events.

The plugin event delivery (``core.event_hooks.dispatcher``) sleeps between passes; a
commit that wrote published events wakes it at once rather than at its next timer.
Commits of other processes are found by the timer.
"""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    """Set by commits, waited on by one waiter; several sets before a wait count as one."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout_seconds: float) -> bool:
        """Wait until set or ``timeout_seconds`` passed; whether it was set. Clears it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_seconds):
                await self._event.wait()
        was_set = self._event.is_set()
        self._event.clear()
        return was_set
