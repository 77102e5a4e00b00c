"""The outbox: published events written with the change, read back by id.

A unit of work's commit writes its recorded published events with the change they
describe, as the last steps of its chain (``outbox_steps``, ``core.db.chain``), so
the rows commit or roll back with it. The events are bound as one value (arrays on
PostgreSQL, a JSON array on SQLite), so the statement's text never changes and it is
compiled once. On PostgreSQL a second step queues the notification::

    outbox   AS (INSERT INTO outbox_events ... SELECT ... FROM unnest(...) RETURNING id),
    notified AS (SELECT pg_notify('omnicart_events', string_agg(id::text, ','))
                 FROM ... GROUP BY chunk)

``pg_notify`` inside a transaction is delivered when, and only if, it commits, so
there is no window between commit and NOTIFY in which a crash loses an event. The
payload is the new rows' ids, comma-separated, at most ``IDS_PER_NOTIFICATION`` per
notification (far below PostgreSQL's 8000-byte limit); listeners read the rows by id
(``records_by_id``) and replay what they missed (``core.events.replay``). The row
also stores ``pg_current_xact_id()``, which replay compares with snapshots.

On SQLite there is no notification: the in-process bus delivers after the commit.
Rows past the retention are deleted by the sweep (``core.maintenance.prune_outbox``), so
this module, which ``core.uow`` imports, needs no unit of work.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    Insert,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from core.db import UTCDateTime, json_dumps, table_of
from core.db.chain import Refs, Step
from core.events.model import JsonValue, PublishedEvent
from core.events.tables import OutboxEventRow

NOTIFY_CHANNEL: Final = "omnicart_events"
# At most 20 characters per id and comma: 6000 bytes, below NOTIFY's 8000-byte limit.
IDS_PER_NOTIFICATION: Final = 300

outbox_table = table_of(OutboxEventRow)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An outbox row as listeners read it."""

    id: int
    topic: str
    subject_ids: tuple[int, ...]
    # pg_current_xact_id() of the writing transaction; None on SQLite.
    transaction_id: int | None
    # The event's type and payload (ids and codes), for subscribers that push events
    # themselves rather than re-read what they watch (``orderEvents``, issue 14).
    event_type: str = ""
    payload: dict[str, JsonValue] = field(default_factory=dict)


@functools.cache
def outbox_steps(dialect: str) -> tuple[Step, ...]:
    """The steps that write a change's published events to the outbox (and on
    PostgreSQL queue their NOTIFY), for a chain (``core.db.chain``); the last steps of
    every commit (``UnitOfWork.commit``).

    The events are bound as one value whatever their number (``outbox_parameters``),
    so the statement is compiled once.
    """
    if dialect == "postgresql":
        return (
            Step("outbox", _insert_postgresql, key="outbox"),
            Step("notified", _notify, key="notified"),
        )
    return (Step("outbox", _insert_sqlite, key="outbox"),)


def outbox_parameters(
    dialect: str, events: Sequence[PublishedEvent], *, now: datetime
) -> dict[str, Any]:
    """The bind values of ``outbox_steps`` for ``events``."""
    if dialect == "postgresql":
        return {
            "outbox_topics": [event.topic for event in events],
            "outbox_types": [event.event_type() for event in events],
            "outbox_subject_ids": [json_dumps(list(event.subject_ids())) for event in events],
            "outbox_payloads": [json_dumps(event.payload()) for event in events],
            "outbox_created_at": now,
        }
    return {
        "outbox_events": json_dumps(
            [
                [event.topic, list(event.subject_ids()), event.payload(), event.event_type()]
                for event in events
            ]
        ),
        "outbox_created_at": now,
    }


def _insert_postgresql(_refs: Refs) -> Insert:
    given = func.unnest(
        bindparam("outbox_topics", type_=ARRAY(Text())),
        bindparam("outbox_subject_ids", type_=ARRAY(Text())),
        bindparam("outbox_payloads", type_=ARRAY(Text())),
        bindparam("outbox_types", type_=ARRAY(Text())),
    ).table_valued("topic", "subject_ids", "payload", "event_type", with_ordinality="position")
    given = given.render_derived("given")
    return (
        insert(outbox_table)
        .from_select(
            ["topic", "subject_ids", "payload", "event_type", "transaction_id", "created_at"],
            select(
                given.c.topic,
                cast(given.c.subject_ids, JSON),
                cast(given.c.payload, JSON),
                given.c.event_type,
                # xid8 has no cast to bigint; its text form is the same 64-bit number.
                cast(cast(func.pg_current_xact_id(), Text), BigInteger),
                bindparam("outbox_created_at", type_=UTCDateTime()),
            ).order_by(given.c.position),
        )
        .returning(outbox_table.c.id)
    )


def _notify(refs: Refs) -> Select[Any]:
    written = refs.rows("outbox")
    numbered = select(
        written.c.id,
        (
            (func.row_number().over(order_by=written.c.id) - 1)
            // bindparam("outbox_ids_per_notification", IDS_PER_NOTIFICATION, BigInteger())
        ).label("chunk"),
    ).subquery("numbered")
    return select(
        func.pg_notify(
            bindparam("outbox_notify_channel", NOTIFY_CHANNEL, String()),
            func.string_agg(cast(numbered.c.id, Text), literal(",")),
        ).label("sent")
    ).group_by(numbered.c.chunk)


def _insert_sqlite(_refs: Refs) -> Insert:
    given = func.json_each(bindparam("outbox_events", type_=String())).table_valued("key", "value")
    return (
        insert(outbox_table)
        .from_select(
            ["topic", "subject_ids", "payload", "event_type", "created_at"],
            select(
                func.json_extract(given.c.value, "$[0]"),
                func.json_extract(given.c.value, "$[1]"),
                func.json_extract(given.c.value, "$[2]"),
                func.json_extract(given.c.value, "$[3]"),
                bindparam("outbox_created_at", type_=UTCDateTime()),
            ).order_by(given.c.key),
        )
        .returning(outbox_table.c.id)
    )


def parse_notification(payload: str) -> list[int]:
    """The event ids of a notification payload; ``ValueError`` when it is not ours."""
    return [int(part) for part in payload.split(",")]


# The listener reads with its own asyncpg connection (``core.events.bus``).
_RECORDS_BY_ID = (
    "SELECT id, topic, subject_ids, transaction_id, event_type, payload FROM outbox_events"
    " WHERE id = ANY($1::bigint[]) ORDER BY id"
)
_RECORDS_SINCE = (
    "SELECT id, topic, subject_ids, transaction_id, event_type, payload FROM outbox_events"
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
    payload = row["payload"]
    if isinstance(payload, str):
        payload = orjson.loads(payload)
    return OutboxRecord(
        id=int(row["id"]),
        topic=str(row["topic"]),
        subject_ids=tuple(int(value) for value in subject_ids),
        transaction_id=None if row["transaction_id"] is None else int(row["transaction_id"]),
        event_type=str(row["event_type"]),
        payload=payload if isinstance(payload, dict) else {},
    )
