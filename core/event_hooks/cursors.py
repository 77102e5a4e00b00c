"""A plugin's place in the outbox: which committed events it has been given, durably.

Each plugin implementing ``omnicart_event`` has one row in ``event_cursors``. Delivery
(``core.event_hooks.dispatcher``) claims the row, reads the events after it, gives
them to the plugin one by one and saves the row as it goes; a process that crashes
leaves the row where it was last saved, so the next one gives those events again
(at least once).

**Commit order.** On SQLite writers are serialised and an id is taken inside its
writer's transaction, so id order is commit order: the cursor is the last id
delivered (``through_id``).

On PostgreSQL ids come from a sequence before commit, so a lower id can commit after
a higher one (``core.events.replay`` explains why "ids above the last seen" loses
it). The cursor is a snapshot (``snapshot``): every row whose transaction it sees
has been delivered. A pass takes a new snapshot (``target``) and delivers the rows
the target sees and the cursor does not, in id order, recording progress in
``through_id``; that set is fixed once the target is taken (everything it sees has
committed), so id order within it is a sound place to keep. When the pass is done
the target becomes the cursor. A row of a transaction still in progress is seen by
neither and waits for a later pass: it is never skipped. Commit order therefore
holds between passes: an event committed before a pass's snapshot is delivered
before any committed after it. Events committing between the same two snapshots
(overlapping transactions, in practice, since a pass follows each commit) go in id
order, and one transaction's events in the order it recorded them.

**One deliverer.** A claim is a guarded UPDATE taking a lease (``lease_holder``,
``lease_until``) that only succeeds when no other process holds an unexpired one:
two processes never deliver to the same plugin at once, and a crashed holder's
lease runs out after ``LEASE_SECONDS``. No transaction stays open while a plugin
runs: on SQLite that would stop every writer.

**Pruning.** The sweep keeps outbox rows a live cursor has not passed
(``delivered_condition``); a cursor not saved for a whole retention period (its
plugin uninstalled, or no process delivering) no longer holds rows back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    and_,
    any_,
    bindparam,
    func,
    not_,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from core.db import table_of
from core.event_hooks.tables import DeadEventRow, EventCursorRow
from core.events.model import DeliveredEvent
from core.events.outbox import outbox_table
from core.events.replay import Snapshot

cursor_table = table_of(EventCursorRow)
dead_event_table = table_of(DeadEventRow)

# A claim holds the cursor this long unless saved again (each save renews it).
LEASE_SECONDS: Final = 60.0
# A snapshot that sees nothing: a new cursor starts before every row still in the outbox.
_BEFORE_EVERYTHING: Final = Snapshot(xmin=1, xmax=1, in_progress=frozenset())


@dataclass(frozen=True, slots=True)
class Cursor:
    """A plugin's delivery state, as claimed (see the module docstring)."""

    plugin: str
    # PostgreSQL: every row this snapshot sees was delivered; None on SQLite.
    snapshot: Snapshot | None
    # PostgreSQL: the pass in progress delivers the rows this sees and ``snapshot`` does not.
    target: Snapshot | None
    # The last id delivered: within the pass (PostgreSQL), overall (SQLite).
    through_id: int
    # Failed deliveries of the next event.
    attempts: int

    def delivered(self, event_id: int) -> Cursor:
        """The cursor once ``event_id`` (the next event) was given or given up on."""
        return replace(self, through_id=event_id, attempts=0)

    def failed(self) -> Cursor:
        return replace(self, attempts=self.attempts + 1)

    def passed(self) -> Cursor:
        """The cursor once the pass delivered everything its target sees (PostgreSQL)."""
        if self.target is None:
            return self
        return replace(self, snapshot=self.target, target=None, through_id=0)


def _format(snapshot: Snapshot | None) -> str | None:
    if snapshot is None:
        return None
    in_progress = ",".join(str(value) for value in sorted(snapshot.in_progress))
    return f"{snapshot.xmin}:{snapshot.xmax}:{in_progress}"


def _parse(text_value: str | None) -> Snapshot | None:
    return None if text_value is None else Snapshot.parse(text_value)


async def claim(
    connection: AsyncConnection, *, plugin: str, holder: str, now: datetime, lease_until: datetime
) -> Cursor | None:
    """Take ``plugin``'s cursor for ``holder`` until ``lease_until``; None when another
    process holds it or its retry is not due. Creates the cursor on first use."""
    dialect = connection.dialect.name
    initial: dict[str, Any] = {
        "plugin": plugin,
        "snapshot": _format(_BEFORE_EVERYTHING) if dialect == "postgresql" else None,
        "through_id": 0,
        "attempts": 0,
        "updated_at": now,
    }
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await connection.execute(insert(cursor_table).values(initial).on_conflict_do_nothing())
    row = (
        await connection.execute(
            update(cursor_table)
            .where(
                cursor_table.c.plugin == plugin,
                or_(cursor_table.c.lease_holder.is_(None), cursor_table.c.lease_until < now),
                or_(cursor_table.c.retry_at.is_(None), cursor_table.c.retry_at <= now),
            )
            .values(lease_holder=holder, lease_until=lease_until)
            .returning(
                cursor_table.c.snapshot,
                cursor_table.c.target,
                cursor_table.c.through_id,
                cursor_table.c.attempts,
            )
        )
    ).first()
    if row is None:
        return None
    return Cursor(
        plugin=plugin,
        snapshot=_parse(row.snapshot),
        target=_parse(row.target),
        through_id=int(row.through_id),
        attempts=int(row.attempts),
    )


async def save(
    connection: AsyncConnection,
    cursor: Cursor,
    *,
    holder: str,
    now: datetime,
    lease_until: datetime | None,
    retry_at: datetime | None = None,
) -> bool:
    """Store ``cursor`` if ``holder`` still holds it; ``lease_until`` None releases it.
    False when the lease was lost (another process took over after it ran out)."""
    result = await connection.execute(
        update(cursor_table)
        .where(cursor_table.c.plugin == cursor.plugin, cursor_table.c.lease_holder == holder)
        .values(
            snapshot=_format(cursor.snapshot),
            target=_format(cursor.target),
            through_id=cursor.through_id,
            attempts=cursor.attempts,
            retry_at=retry_at,
            lease_holder=holder if lease_until is not None else None,
            lease_until=lease_until,
            updated_at=now,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def with_target(connection: AsyncConnection, cursor: Cursor) -> Cursor:
    """PostgreSQL: the cursor with a target snapshot, taken now if the pass has none."""
    if connection.dialect.name != "postgresql" or cursor.target is not None:
        return cursor
    taken = await connection.scalar(text("SELECT pg_current_snapshot()::text"))
    return replace(cursor, target=Snapshot.parse(str(taken)))


async def pending(
    connection: AsyncConnection, cursor: Cursor, *, limit: int
) -> list[DeliveredEvent]:
    """The next events after ``cursor`` in delivery order, at most ``limit``.

    On PostgreSQL the cursor must have its target (``with_target``).
    """
    outbox = outbox_table
    statement = (
        select(
            outbox.c.id,
            outbox.c.topic,
            outbox.c.event_type,
            outbox.c.subject_ids,
            outbox.c.payload,
            outbox.c.created_at,
        )
        .where(outbox.c.id > cursor.through_id)
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if cursor.snapshot is not None:
        if cursor.target is None:
            raise ValueError("a PostgreSQL cursor reads with its target snapshot")
        statement = statement.where(
            not_(_sees(cursor.snapshot, "cursor")), _sees(cursor.target, "target")
        )
    rows = (await connection.execute(statement)).all()
    return [
        DeliveredEvent(
            id=int(row.id),
            topic=str(row.topic),
            type=str(row.event_type),
            subject_ids=tuple(int(value) for value in row.subject_ids),
            payload=dict(row.payload),
            created_at=row.created_at,
        )
        for row in rows
    ]


def _sees(snapshot: Snapshot, name: str) -> ColumnElement[bool]:
    """Rows whose transaction ``snapshot`` sees (``Snapshot.sees`` in SQL)."""
    transaction_id = outbox_table.c.transaction_id
    return and_(
        transaction_id < bindparam(f"{name}_xmax", snapshot.xmax, BigInteger()),
        not_(
            transaction_id
            == any_(
                bindparam(f"{name}_in_progress", sorted(snapshot.in_progress), ARRAY(BigInteger()))
            )
        ),
    )


async def record_dead(
    connection: AsyncConnection,
    *,
    plugin: str,
    event: DeliveredEvent,
    attempts: int,
    error: str,
    now: datetime,
) -> None:
    """Keep an event ``plugin`` kept failing on, for operators (``dead_events``)."""
    await connection.execute(
        dead_event_table.insert().values(
            plugin=plugin,
            event_id=event.id,
            topic=event.topic,
            event_type=event.type,
            payload=event.payload,
            attempts=attempts,
            error=error[:2000],
            recorded_at=now,
        )
    )


async def delivered_condition(
    connection: AsyncConnection, *, active_since: datetime
) -> ColumnElement[bool]:
    """Outbox rows every cursor saved since ``active_since`` has passed (safe to prune)."""
    rows = (
        await connection.execute(
            select(cursor_table.c.snapshot, cursor_table.c.through_id).where(
                cursor_table.c.updated_at >= active_since
            )
        )
    ).all()
    conditions: list[ColumnElement[bool]] = []
    for position, row in enumerate(rows):
        snapshot = _parse(row.snapshot)
        if snapshot is None:
            conditions.append(outbox_table.c.id <= int(row.through_id))
        else:
            conditions.append(_sees(snapshot, f"cursor_{position}"))
    return and_(true(), *conditions)


async def start(connection: AsyncConnection, *, plugin: str, now: datetime) -> None:
    """Create ``plugin``'s cursor after every event committed so far (a new webhook gets
    what commits from now on, not the outbox's history). Inside the creating transaction:
    on PostgreSQL its snapshot, on SQLite (one writer) the last id."""
    if connection.dialect.name == "postgresql":
        taken = await connection.scalar(text("SELECT pg_current_snapshot()::text"))
        snapshot, through_id = str(taken), 0
    else:
        snapshot = None
        through_id = int(await connection.scalar(select(func.max(outbox_table.c.id))) or 0)
    await connection.execute(
        cursor_table.insert().values(
            plugin=plugin, snapshot=snapshot, through_id=through_id, attempts=0, updated_at=now
        )
    )


async def resume(connection: AsyncConnection, *, plugin: str) -> None:
    """Forget ``plugin``'s failures: its next event is due at once."""
    await connection.execute(
        update(cursor_table)
        .where(cursor_table.c.plugin == plugin)
        .values(attempts=0, retry_at=None)
    )


async def remove(connection: AsyncConnection, *, plugin: str) -> None:
    """Delete ``plugin``'s cursor (its consumer is gone)."""
    await connection.execute(cursor_table.delete().where(cursor_table.c.plugin == plugin))
