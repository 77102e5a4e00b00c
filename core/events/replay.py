"""Replay: which outbox rows a listener has delivered, so that it can deliver what it missed.

A process's LISTEN connection (``core.events.bus.PostgresBus``) can be lost: the
server restarts, a proxy drops it, an operator terminates the backend. Notifications
sent meanwhile are gone, but the rows they named are in the outbox. The question is
which rows the listener did not deliver.

Not "ids above the last id seen": ids come from a sequence when a row is inserted,
commits come later, so a lower id can commit after a higher one (transaction A
inserts id 7, B inserts id 8 and commits, the listener delivers 8 and drops, A
commits 7). Not a time window either: clocks of writers and listeners differ, and a
window wide enough to be safe replays (or must remember) a lot.

PostgreSQL snapshots answer it exactly. ``pg_current_snapshot()`` is
``xmin:xmax:in_progress``; a transaction id is *seen* by the snapshot (committed
before it was taken) when it is below ``xmin``, or below ``xmax`` and not in
progress. Every outbox row stores its writer's ``pg_current_xact_id()``. The
listener keeps:

- ``cursor``: a snapshot such that every row it sees has been delivered;
- ``seen``: ids delivered (from notifications) that the cursor does not see.

Catching up takes a new snapshot *on the LISTEN connection, after LISTEN*, reads the
rows the cursor did not see (``transaction_id >= cursor.xmax`` or in the cursor's
in-progress list: an indexed range), delivers those the new snapshot sees that are
not in ``seen``, and makes the new snapshot the cursor (``seen`` empties: the new
cursor sees all of it). Every transaction the new snapshot does not see commits
after it, hence after LISTEN, hence is notified on this connection: nothing falls
between catching up and listening. A notified row is delivered unless the cursor
sees it or it is in ``seen`` (catching up got there first).

The listener catches up when it (re)connects and every ``CATCH_UP_SECONDS`` (30 s)
while connected, busy or idle, so ``seen`` and the rows each catch-up reads stay
about that many seconds' worth. On the very
first connection it only takes the cursor: a process that just started has no
subscriber who could have missed anything.

What cannot be replayed: rows the sweeper pruned. A cursor older than the retention
minus ``REPLAY_MARGIN_SECONDS`` (writers' clocks stamp ``created_at``) may have lost
rows, so the subscribers get ``lagged`` instead (re-read everything watched), and
the listener starts over from a fresh snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from core.events.outbox import OutboxRecord

# Slack between the listener's notion of "too old to replay" and the sweeper's cut-off:
# writers' clock skew and the time from a row's insert to its commit.
REPLAY_MARGIN_SECONDS: Final = 60.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A PostgreSQL snapshot (``pg_snapshot``): which transactions had committed."""

    xmin: int
    xmax: int
    in_progress: frozenset[int]

    @classmethod
    def parse(cls, text: str) -> Snapshot:
        """From ``pg_current_snapshot()::text``: ``xmin:xmax:id,id,...``."""
        xmin, xmax, in_progress = text.split(":")
        return cls(
            xmin=int(xmin),
            xmax=int(xmax),
            in_progress=frozenset(int(value) for value in in_progress.split(",") if value),
        )

    def sees(self, transaction_id: int) -> bool:
        """Whether the transaction had ended when the snapshot was taken."""
        if transaction_id < self.xmin:
            return True
        return transaction_id < self.xmax and transaction_id not in self.in_progress


class Replay:
    """One listener's delivery state: the cursor snapshot and what it delivered beyond it."""

    def __init__(
        self, *, retention_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._replayable_seconds = retention_seconds - REPLAY_MARGIN_SECONDS
        self._monotonic = monotonic
        self._cursor: Snapshot | None = None
        self._cursor_taken_at = 0.0
        self._seen: set[int] = set()

    @property
    def cursor(self) -> Snapshot | None:
        return self._cursor

    def can_replay(self) -> bool:
        """Whether every row the cursor did not see is still in the outbox."""
        if self._cursor is None:
            return False
        return self._monotonic() - self._cursor_taken_at <= self._replayable_seconds

    def restart(self, snapshot: Snapshot) -> None:
        """Deliver only what ``snapshot`` does not see from now on (nothing to replay)."""
        self._cursor = snapshot
        self._cursor_taken_at = self._monotonic()
        self._seen.clear()

    def advance(self, snapshot: Snapshot, unseen: Iterable[OutboxRecord]) -> list[OutboxRecord]:
        """Of the rows the cursor did not see, those to deliver now; ``snapshot`` is the cursor.

        ``unseen`` is ``outbox.records_since`` for the current cursor, read after
        ``snapshot`` was taken (so it may hold rows that commit later: they are left
        for their notification).
        """
        missed = [
            record
            for record in unseen
            if record.transaction_id is not None
            and snapshot.sees(record.transaction_id)
            and not self._sees(record)
            and record.id not in self._seen
        ]
        self.restart(snapshot)
        return missed

    def notified(self, records: Sequence[OutboxRecord]) -> list[OutboxRecord]:
        """Of rows read for notifications, those not delivered yet; they count as delivered."""
        fresh = [r for r in records if not self._sees(r) and r.id not in self._seen]
        self._seen.update(record.id for record in fresh)
        return fresh

    def skipped(self, ids: Iterable[int]) -> None:
        """Notified rows nobody in this process was subscribed to: never replay them."""
        self._seen.update(ids)

    def _sees(self, record: OutboxRecord) -> bool:
        cursor = self._cursor
        return (
            cursor is not None
            and record.transaction_id is not None
            and cursor.sees(record.transaction_id)
        )
