"""The event bus: committed domain events, fanned out to subscribers per topic.

``UnitOfWork.commit`` hands the events of every committed transaction to the
runtime's bus (``publish``); GraphQL subscriptions read them (``subscribe``). Two
implementations, chosen by ``bus_for`` from the database URL:

- ``InProcessBus`` (SQLite, one process): asyncio queues.
- ``PostgresBus``: publishing sends ``NOTIFY omnicart_events, '<json>'`` after the
  commit; every server process holds one dedicated asyncpg connection that LISTENs
  on that channel and fans the messages out to its own subscribers, so a subscriber
  connected to one process sees changes made through another (including its own).

Messages are small and coarse: which variants (and locations) a topic's change
touched, never the new values; subscribers re-read what they show. A subscriber
that falls behind (its queue full) or whose process lost the LISTEN connection gets
one ``lagged`` message instead of what it missed: re-read everything you watch.

Known simplification (to replace with the outbox of DESIGN.md, Plugins): NOTIFY
carries the JSON payload itself, not the id of an event written to an outbox table
in the committing transaction. So an event is lost when the process dies between
commit and NOTIFY or the NOTIFY fails (logged, the request still succeeds), and
nothing is replayed after a crash; listeners that reconnect only get ``lagged``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final, Protocol

import asyncpg  # type: ignore[import-untyped]
import orjson
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.ids import LocationId, VariantId
from core.inventory.events import StockChanged

logger = logging.getLogger(__name__)

STOCK_TOPIC: Final = "stock"
NOTIFY_CHANNEL: Final = "omnicart_events"
# Ids per message: keeps a NOTIFY payload far below PostgreSQL's 8000-byte limit.
MAX_IDS_PER_MESSAGE: Final = 300
# Messages a subscriber may fall behind before it gets ``lagged`` instead.
QUEUE_SIZE: Final = 256
# The LISTEN connection is pinged this often, so a silently dropped one is noticed.
KEEPALIVE_SECONDS: Final = 30.0
RECONNECT_MAX_SECONDS: Final = 30.0


class BusUnavailable(Exception):
    """The bus could not start listening (the database is unreachable)."""


@dataclass(frozen=True, slots=True)
class BusMessage:
    """Something changed for these variants at these locations (topic ``stock``).

    ``lagged``: messages may have been lost; treat everything watched as changed.
    """

    topic: str
    variant_ids: frozenset[VariantId] = frozenset()
    location_ids: frozenset[LocationId] = frozenset()
    lagged: bool = False

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "kind": self.topic,
                "variant_ids": sorted(self.variant_ids),
                "location_ids": sorted(self.location_ids),
            }
        )

    @classmethod
    def from_json(cls, payload: str | bytes) -> BusMessage:
        data = orjson.loads(payload)
        return cls(
            topic=str(data["kind"]),
            variant_ids=frozenset(VariantId(int(v)) for v in data["variant_ids"]),
            location_ids=frozenset(LocationId(int(v)) for v in data["location_ids"]),
        )


def messages_for(events: Sequence[object]) -> list[BusMessage]:
    """The bus messages for one commit's events: its stock changes, merged and chunked."""
    variant_ids: set[VariantId] = set()
    location_ids: set[LocationId] = set()
    for event in events:
        if isinstance(event, StockChanged):
            variant_ids.add(event.variant_id)
            location_ids.update(event.location_ids)
    if not variant_ids:
        return []
    ordered = sorted(variant_ids)
    locations = frozenset(sorted(location_ids)[:MAX_IDS_PER_MESSAGE])
    return [
        BusMessage(
            STOCK_TOPIC,
            frozenset(ordered[start : start + MAX_IDS_PER_MESSAGE]),
            locations,
        )
        for start in range(0, len(ordered), MAX_IDS_PER_MESSAGE)
    ]


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
        """Send a committed transaction's events to every subscriber (in every process)."""

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
        for message in messages_for(events):
            self.deliver(message)


class PostgresBus(_Fanout):
    """NOTIFY after commit; one LISTEN connection per process fans out (see module doc)."""

    def __init__(self, engine: AsyncEngine, dsn: str) -> None:
        super().__init__()
        self._engine = engine
        self._dsn = dsn
        self._listener: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    async def publish(self, events: Sequence[object]) -> None:
        messages = messages_for(events)
        if not messages:
            return
        async with self._engine.connect() as connection:
            for message in messages:
                await connection.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": NOTIFY_CHANNEL, "payload": message.to_json().decode()},
                )
            await connection.commit()

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

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            message = BusMessage.from_json(payload)
        except (ValueError, KeyError, TypeError):
            logger.warning("event bus ignored a malformed notification payload=%.200s", payload)
            return
        self.deliver(message)

    async def _listen(self, ready: asyncio.Future[None]) -> None:
        """Keep one LISTEN connection, reconnecting with backoff until cancelled."""
        delay = 0.5
        while True:
            try:
                connection = await asyncpg.connect(self._dsn)
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
                delay = 0.5
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                logger.warning("event bus LISTEN connection failed error=%s", error)
            finally:
                connection.terminate()

    async def _serve(self, connection: Any, ready: asyncio.Future[None]) -> None:
        """LISTEN on ``connection`` and deliver until it is lost."""
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(NOTIFY_CHANNEL, self._on_notify)
        if ready.done():
            logger.info("event bus listening again channel=%s", NOTIFY_CHANNEL)
            self.deliver_lagged()  # what was sent meanwhile is gone
        else:
            ready.set_result(None)
        await self._wait_until_lost(connection, lost)

    async def _wait_until_lost(self, connection: Any, lost: asyncio.Event) -> None:
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), KEEPALIVE_SECONDS)
                return
            await asyncio.wait_for(connection.execute("SELECT 1"), KEEPALIVE_SECONDS)


def bus_for(database_url: str, engine: AsyncEngine) -> EventBus:
    """PostgreSQL LISTEN/NOTIFY across processes; in process otherwise (SQLite)."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresBus(engine, dsn)
    return InProcessBus()
