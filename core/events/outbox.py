"""The outbox: published events written with the change, read back by id, pruned by age.

``UnitOfWork.commit`` calls ``append_events`` just before committing, so the events'
rows commit or roll back with the change they describe. It is one statement per
commit. On PostgreSQL that statement takes the events as arrays, so its text never
changes and it is compiled once, and it also queues the notification::

    WITH given AS (SELECT ... FROM unnest(...)),
         written AS (INSERT INTO outbox_events ... SELECT ... FROM given RETURNING id),
         notified AS (SELECT pg_notify('omnicart_events', string_agg(id::text, ','))
                      FROM ... GROUP BY chunk)
    SELECT ... FROM notified

(``outbox_items``: a cart add's statement carries the same items.)

``pg_notify`` inside a transaction is delivered when, and only if, it commits, so
there is no window between commit and NOTIFY in which a crash loses an event. The
payload is the new rows' ids, comma-separated, at most ``IDS_PER_NOTIFICATION`` per
notification (far below PostgreSQL's 8000-byte limit); listeners read the rows by id
(``records_by_id``) and replay what they missed (``core.events.replay``). The row
also stores ``pg_current_xact_id()``, which replay compares with snapshots.

On SQLite the rows are written by a multi-row INSERT (a commit with more than
``ROWS_PER_STATEMENT`` events takes one more per that many), without a notification:
the in-process bus delivers after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import orjson
from sqlalchemy import BigInteger, String, Text, bindparam, column, delete, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import UTCDateTime, json_dumps, table_of
from core.events.model import PublishedEvent
from core.events.tables import OutboxEventRow
from core.fastsql import Part, fetch

if TYPE_CHECKING:  # core.uow imports this module to write the outbox on commit
    from core.uow import UnitOfWork

NOTIFY_CHANNEL: Final = "omnicart_events"
# At most 20 characters per id and comma: 6000 bytes, below NOTIFY's 8000-byte limit.
IDS_PER_NOTIFICATION: Final = 300
# SQLite: four bind parameters per row, far below its limit of 32766.
ROWS_PER_STATEMENT: Final = 1000

outbox_table = table_of(OutboxEventRow)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An outbox row as listeners read it (without the payload, which they do not need)."""

    id: int
    topic: str
    subject_ids: tuple[int, ...]
    # pg_current_xact_id() of the writing transaction; None on SQLite.
    transaction_id: int | None


async def append_events(
    session: AsyncSession, events: Sequence[PublishedEvent], *, now: datetime
) -> None:
    """Write ``events`` in the session's open transaction (and on PostgreSQL, NOTIFY their ids)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await fetch(connection, *notifying_insert(events, now=now))
        return
    for start in range(0, len(events), ROWS_PER_STATEMENT):
        rows = [
            {
                "topic": event.topic,
                "subject_ids": list(event.subject_ids()),
                "payload": event.payload(),
                "created_at": now,
            }
            for event in events[start : start + ROWS_PER_STATEMENT]
        ]
        await connection.execute(insert(outbox_table).values(rows))


def notifying_insert(events: Sequence[PublishedEvent], *, now: datetime) -> Part:
    """PostgreSQL's outbox write of ``events`` (and their NOTIFY): statement and parameters."""
    return _NOTIFYING_INSERT, {
        "topics": [event.topic for event in events],
        "subject_ids": [json_dumps(list(event.subject_ids())) for event in events],
        "payloads": [json_dumps(event.payload()) for event in events],
        "created_at": now,
    }


def outbox_items(*, also: str = "") -> str:
    """The WITH items that write outbox rows and queue their NOTIFY (PostgreSQL).

    ``given``: the events bound as the arrays ``:topics``, ``:subject_ids`` and
    ``:payloads`` (JSON text, one element per event), then the rows of ``also`` when
    given: a SELECT of topic, subject ids and payload as JSON text, and a position
    after theirs. ``written``: their rows, ids in that order. ``notified``: one row per
    NOTIFY of at most ``IDS_PER_NOTIFICATION`` ids. A statement using them binds
    ``OUTBOX_BINDS`` and must read ``notified`` (a plain WITH item runs only when
    read). The text is the same for any number of events, so the statement is
    compiled once (``core.fastsql``); a multi-row VALUES would be new SQL for every
    count, compiled on every commit.
    """
    extra = f"\n    UNION ALL\n    {also}" if also else ""
    return f"""given AS (
    SELECT e.topic, e.subject_ids, e.payload, e.position
    FROM unnest(CAST(:topics AS TEXT[]), CAST(:subject_ids AS TEXT[]),
                CAST(:payloads AS TEXT[]))
         WITH ORDINALITY AS e(topic, subject_ids, payload, position){extra}
), written AS (
    INSERT INTO outbox_events (topic, subject_ids, payload, transaction_id, created_at)
    -- xid8 has no cast to bigint; its text form is the same 64-bit number.
    SELECT g.topic, CAST(g.subject_ids AS JSON), CAST(g.payload AS JSON),
           CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT), :created_at
    FROM given AS g ORDER BY g.position
    RETURNING id
), notified AS (
    SELECT pg_notify(:notify_channel, string_agg(CAST(n.id AS TEXT), ',')) AS sent
    FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / :ids_per_notification AS chunk
          FROM written) AS n
    GROUP BY n.chunk
)"""


OUTBOX_BINDS: Final = (
    bindparam("topics", type_=ARRAY(Text())),
    bindparam("subject_ids", type_=ARRAY(Text())),
    bindparam("payloads", type_=ARRAY(Text())),
    bindparam("created_at", type_=UTCDateTime()),
    bindparam("notify_channel", value=NOTIFY_CHANNEL, type_=String()),
    bindparam("ids_per_notification", value=IDS_PER_NOTIFICATION, type_=BigInteger()),
)
_NOTIFYING_INSERT: Final = (
    text("WITH " + outbox_items() + "\nSELECT sent AS notified FROM notified")
    .bindparams(*OUTBOX_BINDS)
    .columns(column("notified", Text()))
)


def parse_notification(payload: str) -> list[int]:
    """The event ids of a notification payload; ``ValueError`` when it is not ours."""
    return [int(part) for part in payload.split(",")]


# The listener reads with its own asyncpg connection (``core.events.bus``).
_RECORDS_BY_ID = (
    "SELECT id, topic, subject_ids, transaction_id FROM outbox_events"
    " WHERE id = ANY($1::bigint[]) ORDER BY id"
)
_RECORDS_SINCE = (
    "SELECT id, topic, subject_ids, transaction_id FROM outbox_events"
    " WHERE transaction_id >= $1 OR transaction_id = ANY($2::bigint[]) ORDER BY id"
)


async def records_by_id(connection: Any, ids: Sequence[int]) -> list[OutboxRecord]:
    """The outbox rows of ``ids`` (those not yet pruned), by id."""
    return [_record(row) for row in await connection.fetch(_RECORDS_BY_ID, list(ids))]


async def records_since(
    connection: Any, *, first_transaction_id: int, in_progress: Sequence[int]
) -> list[OutboxRecord]:
    """Rows written by transaction ``first_transaction_id`` or later, or by one ``in_progress``.

    That is every row a snapshot ``first_transaction_id:...:in_progress`` did not see.
    """
    rows = await connection.fetch(_RECORDS_SINCE, first_transaction_id, list(in_progress))
    return [_record(row) for row in rows]


def _record(row: Any) -> OutboxRecord:
    subject_ids = row["subject_ids"]
    if isinstance(subject_ids, str):  # asyncpg returns json as text
        subject_ids = orjson.loads(subject_ids)
    return OutboxRecord(
        id=int(row["id"]),
        topic=str(row["topic"]),
        subject_ids=tuple(int(value) for value in subject_ids),
        transaction_id=None if row["transaction_id"] is None else int(row["transaction_id"]),
    )


async def prune_outbox(uow: UnitOfWork, *, retention_seconds: float) -> int:
    """Delete outbox rows older than ``retention_seconds``; how many were deleted."""
    async with uow:
        cutoff = uow.clock.now() - timedelta(seconds=retention_seconds)
        connection = await uow.session.connection()
        deleted = await connection.execute(
            delete(outbox_table).where(outbox_table.c.created_at < cutoff)
        )
        await uow.commit()
    return deleted.rowcount
