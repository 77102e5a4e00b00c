"""Event delivery: every committed published event to every plugin implementing ``omnicart_event``.

Every server process runs ``EventDispatcher.run`` as a background task
(``schema.app``), woken by its own commits (``Runtime.wakeup``) and every
``OMNICART_EVENT_HOOKS_INTERVAL_SECONDS`` for the commits of other processes. A pass
goes plugin by plugin: it claims the plugin's cursor (``core.event_hooks.cursors``;
a process that finds it held by another moves on), reads the next events in commit
order, gives them to the plugin one by one and saves the cursor after each batch.

At least once: the cursor is saved after the events were given, so a process that
dies in between leaves it behind them, and the next holder (once the lease ran out)
gives them again.

A plugin that raises (or takes longer than ``CALL_TIMEOUT_SECONDS``) gets the same
event again after a pause that doubles with each failure (``retry_pause``), and the
events after it wait: its order is kept. After ``MAX_ATTEMPTS`` failures the event is
recorded in ``dead_events`` for that plugin, logged at ERROR, and delivery goes on:
a plugin that fails forever costs its own events, never the others', and never a
request (nothing here runs inside one).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from datetime import datetime, timedelta
from typing import Final

from core.errors import PluginError
from core.event_hooks import cursors
from core.event_hooks.cursors import LEASE_SECONDS, Cursor
from core.events.model import DeliveredEvent
from core.runtime import Runtime

logger = logging.getLogger(__name__)

# Failures of one event before it is recorded as dead for the plugin.
MAX_ATTEMPTS: Final = 10
FIRST_RETRY_SECONDS: Final = 1.0
MAX_RETRY_SECONDS: Final = 300.0
# One call longer than this counts as a failure (well inside the lease).
CALL_TIMEOUT_SECONDS: Final = 30.0
# Events read and given between two saves of the cursor.
BATCH_SIZE: Final = 100


def retry_pause(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failure: 1 s, 2 s, 4 s ... at most 5 minutes."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


class EventDispatcher:
    """Delivers the outbox to the ``omnicart_event`` plugins of one runtime (one process)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        batch_size: int = BATCH_SIZE,
        max_attempts: int = MAX_ATTEMPTS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self._runtime = runtime
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._lease = timedelta(seconds=lease_seconds)
        # Who holds a cursor: this dispatcher, told apart from others on the same host.
        self.holder = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"

    async def run(self, interval_seconds: float) -> None:
        """Deliver, then wait for a commit of this process or ``interval_seconds``; forever."""
        task = asyncio.current_task()
        while True:
            try:
                delivered = await self.deliver()
            except Exception:  # the boundary: a failed pass must not stop the server
                logger.exception("event delivery failed; trying again in %s s", interval_seconds)
            else:
                if delivered:
                    logger.debug("event delivery delivered=%d", delivered)
            # A cancellation landing inside a database call can be swallowed on its way
            # out (seen with aiosqlite on Python 3.11); the task still says it was asked.
            if task is not None and task.cancelling():
                raise asyncio.CancelledError
            await self._runtime.wakeup.wait(interval_seconds)

    async def deliver(self) -> int:
        """One pass over every plugin implementing the hook; how many events were given."""
        delivered = 0
        for plugin in self._runtime.plugins.event_plugins():
            delivered += await self._deliver_to(plugin)
        return delivered

    async def _deliver_to(self, plugin: str) -> int:
        cursor = await self._claim(plugin)
        if cursor is None:
            return 0  # another process is delivering to it, or its retry is not due
        delivered = 0
        while True:
            async with self._runtime.engine.connect() as connection:
                cursor = await cursors.with_target(connection, cursor)
                events = await cursors.pending(connection, cursor, limit=self._batch_size)
            for event in events:
                error = await self._give(plugin, event)
                if error is None:
                    cursor = cursor.delivered(event.id)
                    delivered += 1
                    continue
                cursor = cursor.failed()
                if cursor.attempts < self._max_attempts:
                    pause = retry_pause(cursor.attempts)
                    logger.warning(
                        "event hook failed plugin=%s event=%d attempts=%d retry_in=%.0fs",
                        plugin,
                        event.id,
                        cursor.attempts,
                        pause.total_seconds(),
                    )
                    await self._save(cursor, release=True, retry_at=self._now() + pause)
                    return delivered
                logger.error(
                    "event hook gave up plugin=%s event=%d type=%s attempts=%d; recorded as dead",
                    plugin,
                    event.id,
                    event.type,
                    cursor.attempts,
                )
                if not await self._save(cursor.delivered(event.id), dead=(event, cursor, error)):
                    return delivered
                cursor = cursor.delivered(event.id)
            if len(events) < self._batch_size:
                cursor = cursor.passed()
                # PostgreSQL: events may have committed after the target; a pass ends
                # with a target that had nothing left to give.
                if cursor.snapshot is None or not events:
                    await self._save(cursor, release=True)
                    return delivered
            if not await self._save(cursor):
                return delivered  # the lease ran out and another process took over

    async def _give(self, plugin: str, event: DeliveredEvent) -> str | None:
        """Give ``event`` to ``plugin``; what went wrong, or None."""
        try:
            async with asyncio.timeout(CALL_TIMEOUT_SECONDS):
                await self._runtime.plugins.deliver_event(plugin, event)
        except PluginError as error:  # logged by the host with its traceback
            return repr(error.__cause__)
        except TimeoutError:
            logger.warning("event hook timed out plugin=%s event=%d", plugin, event.id)
            return f"timed out after {CALL_TIMEOUT_SECONDS:.0f} s"
        return None

    def _now(self) -> datetime:
        return self._runtime.clock.now()

    async def _claim(self, plugin: str) -> Cursor | None:
        async with self._runtime.uow() as uow:
            now = self._now()
            cursor = await cursors.claim(
                await uow.connection(),
                plugin=plugin,
                holder=self.holder,
                now=now,
                lease_until=now + self._lease,
            )
            await uow.commit()
        return cursor

    async def _save(
        self,
        cursor: Cursor,
        *,
        release: bool = False,
        retry_at: datetime | None = None,
        dead: tuple[DeliveredEvent, Cursor, str] | None = None,
    ) -> bool:
        """Store the cursor (renewing or releasing the lease), with a dead event if any;
        False, and nothing stored, when this dispatcher no longer holds the cursor."""
        async with self._runtime.uow() as uow:
            connection = await uow.connection()
            now = self._now()
            saved = await cursors.save(
                connection,
                cursor,
                holder=self.holder,
                now=now,
                lease_until=None if release else now + self._lease,
                retry_at=retry_at,
            )
            if not saved:
                logger.warning("event delivery lost its lease plugin=%s", cursor.plugin)
                return False
            if dead is not None:
                event, failed, error = dead
                await cursors.record_dead(
                    connection,
                    plugin=cursor.plugin,
                    event=event,
                    attempts=failed.attempts,
                    error=error,
                    now=now,
                )
            await uow.commit()
        return True
