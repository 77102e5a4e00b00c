"""Who the dispatcher delivers to: one ``Consumer`` per cursor (issue 15 generalised it).

A consumer names its cursor (``event_cursors.plugin``, a plain key), receives events
one at a time and decides what happens when it kept failing on one: a plugin's
``omnicart_event`` passes over the event (recorded in ``dead_events``), a webhook stops
at it until staff reactivate it (``core.webhooks.delivery``). Everything else (cursor,
lease, commit order, backoff) is the dispatcher's and the same for both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Final, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from core.errors import PluginError
from core.event_hooks import cursors
from core.events.model import DeliveredEvent
from core.plugin_host import PluginHost

logger = logging.getLogger(__name__)

# Failures of one event before it is recorded as dead for the plugin.
MAX_ATTEMPTS: Final = 10
FIRST_RETRY_SECONDS: Final = 1.0
MAX_RETRY_SECONDS: Final = 300.0
# One call longer than this counts as a failure (well inside the lease).
CALL_TIMEOUT_SECONDS: Final = 30.0


def retry_pause(
    attempts: int,
    *,
    first_seconds: float = FIRST_RETRY_SECONDS,
    max_seconds: float = MAX_RETRY_SECONDS,
) -> timedelta:
    """The pause after the ``attempts``-th failure: 1 s, 2 s, 4 s ... at most 5 minutes
    (by default)."""
    seconds = first_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, max_seconds))


class Consumer(Protocol):
    """One destination of committed events, with its own cursor."""

    @property
    def name(self) -> str:
        """The cursor's key: unique among consumers, at most 128 characters."""

    @property
    def max_attempts(self) -> int:
        """Consecutive failures of one event before ``exhausted``."""

    def retry_pause(self, attempts: int) -> timedelta:
        """The pause after the ``attempts``-th consecutive failure."""

    async def give(self, event: DeliveredEvent, *, attempts: int) -> str | None:
        """Deliver ``event`` (failed ``attempts`` times before); what went wrong, or None."""

    async def exhausted(
        self,
        connection: AsyncConnection,
        *,
        event: DeliveredEvent,
        attempts: int,
        error: str,
        now: datetime,
    ) -> bool:
        """After ``max_attempts`` failures, in the transaction saving the cursor: True
        passes over the event, False leaves the cursor at it (the consumer stops)."""


# Lists the consumers to deliver to on each pass (a webhook may be added at any time).
ConsumerSource = Callable[[], Awaitable[Sequence[Consumer]]]


class PluginConsumer:
    """A plugin implementing ``omnicart_event``: gives up on an event after
    ``max_attempts`` failures and records it in ``dead_events``."""

    def __init__(self, plugins: PluginHost, plugin: str, *, max_attempts: int) -> None:
        self._plugins = plugins
        self._plugin = plugin
        self._max_attempts = max_attempts

    @property
    def name(self) -> str:
        return self._plugin

    @property
    def max_attempts(self) -> int:
        return self._max_attempts

    def retry_pause(self, attempts: int) -> timedelta:
        return retry_pause(attempts)

    async def give(self, event: DeliveredEvent, *, attempts: int) -> str | None:
        try:
            async with asyncio.timeout(CALL_TIMEOUT_SECONDS):
                await self._plugins.deliver_event(self._plugin, event)
        except PluginError as error:  # logged by the host with its traceback
            return repr(error.__cause__)
        except TimeoutError:
            logger.warning("event hook timed out plugin=%s event=%d", self._plugin, event.id)
            return f"timed out after {CALL_TIMEOUT_SECONDS:.0f} s"
        return None

    async def exhausted(
        self,
        connection: AsyncConnection,
        *,
        event: DeliveredEvent,
        attempts: int,
        error: str,
        now: datetime,
    ) -> bool:
        logger.error(
            "event hook gave up plugin=%s event=%d type=%s attempts=%d; recorded as dead",
            self._plugin,
            event.id,
            event.type,
            attempts,
        )
        await cursors.record_dead(
            connection, plugin=self._plugin, event=event, attempts=attempts, error=error, now=now
        )
        return True


def plugin_consumers(plugins: PluginHost, *, max_attempts: int = MAX_ATTEMPTS) -> ConsumerSource:
    """The installed plugins implementing ``omnicart_event``."""

    async def listed() -> Sequence[Consumer]:
        return [
            PluginConsumer(plugins, plugin, max_attempts=max_attempts)
            for plugin in plugins.event_plugins()
        ]

    return listed
