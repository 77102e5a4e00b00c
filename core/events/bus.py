"""The event bus: committed domain events, fanned out to subscribers per topic.

Events that derive from ``core.events.model.PublishedEvent`` are written to the
outbox in the committing transaction (``core.events.outbox``, called by
``UnitOfWork.commit``). GraphQL subscriptions read them from here (``subscribe``),
as ``BusMessage``: a topic and the ids the events concern (``subject_ids``). Two
implementations, chosen by ``bus_for`` from the database URL:

- ``InProcessBus`` (SQLite, one process): ``UnitOfWork.commit`` hands it the
  committed events (``publish``) and it puts them on asyncio queues.
- ``PostgresBus``: the outbox INSERT also queues ``pg_notify('omnicart_events',
  '<event ids>')``, delivered when the transaction commits and never otherwise.
  Every server process holds one dedicated asyncpg connection that LISTENs on that
  channel, reads the notified rows by id and fans them out to its own subscribers,
  so a subscriber connected to one process sees changes made through another
  (including its own). When that connection is lost, the listener reconnects and
  replays the outbox rows committed meanwhile (``core.events.replay``: snapshots,
  not ids, decide what was missed, since ids are not in commit order).

Messages are small and coarse: which variants a stock change touched, which cart
changed; never the new values; subscribers re-read what they show. A message also
carries its events' types and payloads (``BusMessage.events``: ids and codes, as the
outbox stores them), for subscribers that push the events themselves (``orderEvents``,
issue 14); a ``lagged`` message carries none. The events of one
commit (or of the notifications read together) become one message per topic. A
subscriber that falls behind (its queue full), or whose process was away from the
database longer than the outbox keeps events (``OMNICART_OUTBOX_RETENTION_SECONDS``),
gets one ``lagged`` message instead of what it missed: re-read everything you watch.
Delivery is at least once: a replayed event may, rarely, also arrive a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import make_url

from core.events.model import JsonValue, PublishedEvent
from core.events.outbox import (
    NOTIFY_CHANNEL,
    OutboxRecord,
    parse_notification,
    records_by_id,
    records_since,
)
from core.events.replay import Replay, Snapshot

logger = logging.getLogger(__name__)

# Messages a subscriber may fall behind before it gets ``lagged`` instead.
QUEUE_SIZE: Final = 256
# The LISTEN connection catches up this often (core.events.replay), which also
# notices a silently dropped connection.
CATCH_UP_SECONDS: Final = 30.0
# A catch-up taking longer means the connection is gone.
CATCH_UP_TIMEOUT_SECONDS: Final = 30.0
RECONNECT_MAX_SECONDS: Final = 30.0
# How the LISTEN connection shows in pg_stat_activity.
LISTENER_APPLICATION_NAME: Final = "omnicart-events"


class BusUnavailable(Exception):
    """The bus could not start listening (the database is unreachable)."""


@dataclass(frozen=True, slots=True)
class BusEvent:
    """One committed event of a message: its type (the class name) and its payload."""

    type: str
    subject_ids: tuple[int, ...]
    payload: dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class BusMessage:
    """Something changed for these ids on this topic (variants for ``stock``).

    ``lagged``: messages may have been lost; treat everything watched as changed.
    ``events``: the events behind the message, in commit (then record) order; not
    part of its equality, since most subscribers only look at the ids.
    """

    topic: str
    subject_ids: frozenset[int] = frozenset()
    lagged: bool = False
    events: tuple[BusEvent, ...] = field(default=(), compare=False)


def messages_for(subjects: Iterable[tuple[str, BusEvent]]) -> list[BusMessage]:
    """One message per topic for ``(topic, event)`` pairs, ids merged, events in order."""
    by_topic: defaultdict[str, list[BusEvent]] = defaultdict(list)
    for topic, event in subjects:
        by_topic[topic].append(event)
    return [
        BusMessage(
            topic, frozenset(i for event in events for i in event.subject_ids), events=tuple(events)
        )
        for topic, events in sorted(by_topic.items())
    ]


def messages_for_events(events: Sequence[object]) -> list[BusMessage]:
    """The messages of one commit's events (those that are published)."""
    return messages_for(
        (event.topic, BusEvent(event.event_type(), event.subject_ids(), event.payload()))
        for event in events
        if isinstance(event, PublishedEvent)
    )


class Inbox:
    """One subscriber's messages: an async iterator, plus what is already queued."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[BusMessage] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def put(self, message: BusMessage) -> None:
        if self._queue.full():
            # Too far behind: drop the backlog, say so once.
            while not self._queue.empty():
                self._queue.get_nowait()
            message = BusMessage(message.topic, lagged=True)
        self._queue.put_nowait(message)

    def pending(self) -> list[BusMessage]:
        """Messages already queued, without waiting."""
        queued: list[BusMessage] = []
        while not self._queue.empty():
            queued.append(self._queue.get_nowait())
        return queued

    def __aiter__(self) -> Inbox:
        return self

    async def __anext__(self) -> BusMessage:
        return await self._queue.get()


class EventBus(Protocol):
    async def start(self) -> None:
        """Be ready to deliver (idempotent; ``subscribe`` calls it too)."""

    async def close(self) -> None:
        """Stop delivering; ``start`` may be called again later."""

    async def publish(self, events: Sequence[object]) -> None:
        """After a commit: deliver its events where the commit itself did not (in process)."""

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[Inbox]:
        """An inbox receiving ``topic``'s messages from entering the block until leaving it."""


class _Fanout:
    """The subscribers of one process, per topic."""

    def __init__(self) -> None:
        self._inboxes: defaultdict[str, set[Inbox]] = defaultdict(set)

    async def start(self) -> None:
        return None

    def deliver(self, message: BusMessage) -> None:
        for inbox in list(self._inboxes.get(message.topic, ())):
            inbox.put(message)

    def deliver_lagged(self) -> None:
        for topic, inboxes in list(self._inboxes.items()):
            for inbox in list(inboxes):
                inbox.put(BusMessage(topic, lagged=True))

    def has_subscribers(self) -> bool:
        return any(self._inboxes.values())

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Inbox]:
        await self.start()
        inbox = Inbox()
        self._inboxes[topic].add(inbox)
        try:
            yield inbox
        finally:
            self._inboxes[topic].discard(inbox)


class InProcessBus(_Fanout):
    """Delivers to the subscribers of this process only (SQLite: one process)."""

    async def close(self) -> None:
        return None

    async def publish(self, events: Sequence[object]) -> None:
        for message in messages_for_events(events):
            self.deliver(message)


# A notification's event ids, or None: the connection was lost.
_Notified = list[int] | None


class PostgresBus(_Fanout):
    """One LISTEN connection per process reads notified outbox rows and fans them out.

    See the module docstring; replay is ``core.events.replay``.
    """

    def __init__(
        self,
        dsn: str,
        *,
        retention_seconds: float,
        reconnect_delay_seconds: float = 0.5,
        catch_up_seconds: float = CATCH_UP_SECONDS,
    ) -> None:
        super().__init__()
        self._dsn = dsn
        self._reconnect_delay = reconnect_delay_seconds
        self._catch_up_seconds = catch_up_seconds
        # Kept across lost connections and close/start: what a reconnection replays from.
        self._replay = Replay(retention_seconds=retention_seconds)
        self._listener: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    async def publish(self, events: Sequence[object]) -> None:
        return None  # the NOTIFY was part of the committed transaction (core.events.outbox)

    async def start(self) -> None:
        async with self._starting:
            if self._listener is not None and not self._listener.done():
                return
            ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._listener = asyncio.create_task(self._listen(ready))
            try:
                await ready  # the first connection's failure is the caller's error
            except BaseException:
                self._listener = None
                raise

    async def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _listen(self, ready: asyncio.Future[None]) -> None:
        """Keep one LISTEN connection, reconnecting with backoff until cancelled."""
        delay = self._reconnect_delay
        while True:
            try:
                connection = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": LISTENER_APPLICATION_NAME}
                )
            except (OSError, asyncpg.PostgresError) as error:
                if not ready.done():
                    ready.set_exception(BusUnavailable(f"cannot LISTEN: {error}"))
                    return
                logger.warning("event bus cannot reconnect error=%s retry_in=%.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                continue
            try:
                await self._serve(connection, ready)
                logger.warning("event bus lost its LISTEN connection; reconnecting")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                if not ready.done():
                    ready.set_exception(BusUnavailable(f"cannot LISTEN: {error}"))
                    return
                logger.warning("event bus LISTEN connection failed error=%s", error)
            finally:
                connection.terminate()
            # Nothing is lost while away (replay), so there is no hurry to hammer the server.
            await asyncio.sleep(self._reconnect_delay)
            delay = self._reconnect_delay

    async def _serve(self, connection: Any, ready: asyncio.Future[None]) -> None:
        """LISTEN on ``connection``, catch up, then deliver until the connection is lost."""
        notified: asyncio.Queue[_Notified] = asyncio.Queue()
        connection.add_termination_listener(lambda _connection: notified.put_nowait(None))

        def on_notify(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
            try:
                notified.put_nowait(parse_notification(payload))
            except ValueError:
                logger.warning("event bus ignored a malformed notification payload=%.200s", payload)

        await connection.add_listener(NOTIFY_CHANNEL, on_notify)
        # After LISTEN: whatever this snapshot does not see will be notified here.
        await self._catch_up(connection)
        if ready.done():
            logger.info("event bus listening again channel=%s", NOTIFY_CHANNEL)
        else:
            ready.set_result(None)
        loop = asyncio.get_running_loop()
        # Catching up on a schedule, busy or not, keeps the replay state small.
        catch_up_at = loop.time() + self._catch_up_seconds
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow the
            # cancellation of close() when a notification arrives at the same moment.
            try:
                async with asyncio.timeout_at(catch_up_at):
                    ids = await notified.get()
            except TimeoutError:
                async with asyncio.timeout(CATCH_UP_TIMEOUT_SECONDS):
                    await self._catch_up(connection)
                catch_up_at = loop.time() + self._catch_up_seconds
                continue
            if ids is None:
                return
            batch, lost = list(ids), False
            while not notified.empty():  # read what queued up meanwhile in one statement
                more = notified.get_nowait()
                if more is None:
                    lost = True
                    break
                batch.extend(more)
            await self._deliver_notified(connection, batch)
            if lost:
                return

    async def _deliver_notified(self, connection: Any, ids: Sequence[int]) -> None:
        if not self.has_subscribers():
            self._replay.skipped(ids)
            return
        records = await records_by_id(connection, ids)
        self._deliver(self._replay.notified(records))

    async def _catch_up(self, connection: Any) -> None:
        """Deliver what committed since the cursor and was not notified; move the cursor."""
        snapshot = Snapshot.parse(await connection.fetchval("SELECT pg_current_snapshot()::text"))
        cursor = self._replay.cursor
        if cursor is None or not self.has_subscribers():
            self._replay.restart(snapshot)
            return
        if not self._replay.can_replay():
            logger.warning("event bus away longer than the outbox keeps events; lagged")
            self._replay.restart(snapshot)
            self.deliver_lagged()
            return
        unseen = await records_since(
            connection, first_transaction_id=cursor.xmax, in_progress=sorted(cursor.in_progress)
        )
        missed = self._replay.advance(snapshot, unseen)
        if missed:
            logger.info("event bus replayed events=%d", len(missed))
            self._deliver(missed)

    def _deliver(self, records: Sequence[OutboxRecord]) -> None:
        published = (
            (record.topic, BusEvent(record.event_type, record.subject_ids, record.payload))
            for record in records
        )
        for message in messages_for(published):
            self.deliver(message)


def bus_for(database_url: str, *, retention_seconds: float) -> EventBus:
    """PostgreSQL LISTEN/NOTIFY across processes; in process otherwise (SQLite).

    ``retention_seconds``: how long the outbox keeps events (what a listener can replay).
    """
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresBus(dsn, retention_seconds=retention_seconds)
    return InProcessBus()
