"""Event delivery: every committed published event to every consumer (plugins implementing
``omnicart_event``, and webhooks since issue 15: ``core.event_hooks.consumers``).

Every server process runs ``EventDispatcher.run`` as a background task
(``schema.app``), woken by its own commits (``Runtime.wakeup``) and every
``OMNICART_EVENT_HOOKS_INTERVAL_SECONDS`` for the commits of other processes. A pass
goes consumer by consumer: it claims the consumer's cursor (``core.event_hooks.cursors``;
a process that finds it held by another moves on), reads the next events in commit
order, gives them to the consumer one by one and saves the cursor after each batch.

At least once: the cursor is saved after the events were given, so a process that
dies in between leaves it behind them, and the next holder (once the lease ran out)
gives them again.

A consumer that fails (a plugin raising or taking longer than ``CALL_TIMEOUT_SECONDS``,
a webhook answering 5xx) gets the same event again after a pause that doubles with each
failure (``Consumer.retry_pause``), and the events after it wait: its order is kept.
After ``Consumer.max_attempts`` failures the consumer decides (``Consumer.exhausted``):
a plugin's event is recorded in ``dead_events``, logged at ERROR, and delivery goes on;
a webhook is marked failing and stops. A consumer that fails forever costs its own
events, never the others', and never a request (nothing here runs inside one).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from core.event_hooks import cursors
from core.event_hooks.consumers import (
    CALL_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    Consumer,
    ConsumerSource,
    plugin_consumers,
    retry_pause,
)
from core.event_hooks.cursors import LEASE_SECONDS, Cursor
from core.events.model import DeliveredEvent
from core.runtime import Runtime

logger = logging.getLogger(__name__)

__all__ = ["CALL_TIMEOUT_SECONDS", "EventDispatcher", "retry_pause"]

# Events read and given between two saves of the cursor.
BATCH_SIZE: Final = 100


class EventDispatcher:
    """Delivers the outbox to the consumers of one runtime (one process): by default the
    ``omnicart_event`` plugins, or whatever ``sources`` list on each pass."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        sources: Sequence[ConsumerSource] | None = None,
        batch_size: int = BATCH_SIZE,
        max_attempts: int = MAX_ATTEMPTS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self._runtime = runtime
        self._sources = (
            tuple(sources)
            if sources is not None
            else (plugin_consumers(runtime.plugins, max_attempts=max_attempts),)
        )
        self._batch_size = batch_size
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
        """One pass over every consumer; how many events were given."""
        delivered = 0
        for source in self._sources:
            for consumer in await source():
                delivered += await self._deliver_to(consumer)
        return delivered

    async def _deliver_to(self, consumer: Consumer) -> int:
        cursor = await self._claim(consumer.name)
        if cursor is None:
            return 0  # another process is delivering to it, or its retry is not due
        delivered = 0
        # Slow consumers (a webhook may take its whole timeout per event) save, and so
        # renew the lease, halfway through it rather than only after each batch.
        renew_at = self._now() + self._lease / 2
        while True:
            async with self._runtime.engine.connect() as connection:
                cursor = await cursors.with_target(connection, cursor)
                events = await cursors.pending(connection, cursor, limit=self._batch_size)
            for event in events:
                error = await consumer.give(event, attempts=cursor.attempts)
                if error is None:
                    cursor = cursor.delivered(event.id)
                    delivered += 1
                    if self._now() >= renew_at:
                        if not await self._save(cursor):
                            return delivered  # the lease ran out: another process took over
                        renew_at = self._now() + self._lease / 2
                    continue
                cursor = cursor.failed()
                if cursor.attempts < consumer.max_attempts:
                    pause = consumer.retry_pause(cursor.attempts)
                    logger.warning(
                        "event delivery failed consumer=%s event=%d attempts=%d retry_in=%.0fs",
                        consumer.name,
                        event.id,
                        cursor.attempts,
                        pause.total_seconds(),
                    )
                    await self._save(cursor, release=True, retry_at=self._now() + pause)
                    return delivered
                passed = await self._save_exhausted(consumer, cursor, event, error)
                if not passed:
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
        self, cursor: Cursor, *, release: bool = False, retry_at: datetime | None = None
    ) -> bool:
        """Store the cursor (renewing or releasing the lease); False, and nothing stored,
        when this dispatcher no longer holds the cursor."""
        async with self._runtime.uow() as uow:
            saved = await self._store(
                await uow.connection(), cursor, release=release, retry_at=retry_at
            )
            if saved:
                await uow.commit()
        return saved

    async def _save_exhausted(
        self, consumer: Consumer, failed: Cursor, event: DeliveredEvent, error: str
    ) -> bool:
        """The consumer failed ``max_attempts`` times on ``event``: store what it decided
        (past the event, or still at it and released) with its own writes, in one
        transaction; whether delivery goes on past the event."""
        async with self._runtime.uow() as uow:
            connection = await uow.connection()
            passes = await consumer.exhausted(
                connection, event=event, attempts=failed.attempts, error=error, now=self._now()
            )
            cursor = failed.delivered(event.id) if passes else failed
            if not await self._store(connection, cursor, release=not passes):
                return False
            await uow.commit()
        return passes

    async def _store(
        self,
        connection: AsyncConnection,
        cursor: Cursor,
        *,
        release: bool,
        retry_at: datetime | None = None,
    ) -> bool:
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
            logger.warning("event delivery lost its lease consumer=%s", cursor.plugin)
        return saved
