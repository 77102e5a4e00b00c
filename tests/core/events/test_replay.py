"""Replay bookkeeping: snapshots decide what a listener missed, ids only de-duplicate."""

from __future__ import annotations

from core.events.outbox import OutboxRecord
from core.events.replay import REPLAY_MARGIN_SECONDS, Replay, Snapshot


def record(id_: int, transaction_id: int) -> OutboxRecord:
    return OutboxRecord(id=id_, topic="cart", subject_ids=(id_,), transaction_id=transaction_id)


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_snapshot_sees_the_transactions_that_ended_before_it() -> None:
    snapshot = Snapshot.parse("10:15:10,12")

    seen = [transaction for transaction in range(8, 18) if snapshot.sees(transaction)]

    assert seen == [8, 9, 11, 13, 14]
    assert Snapshot.parse("7:7:") == Snapshot(7, 7, frozenset())


def test_a_lower_id_that_commits_later_is_replayed_and_a_notified_one_is_not_repeated() -> None:
    replay = Replay(retention_seconds=3600)
    replay.restart(Snapshot.parse("100:100:"))
    # Transaction 100 wrote id 7 and is still open; 101 wrote id 8 and committed.
    delivered = replay.notified([record(8, 101)])

    missed = replay.advance(Snapshot.parse("102:102:"), [record(7, 100), record(8, 101)])

    assert delivered == [record(8, 101)]
    assert missed == [record(7, 100)]


def test_rows_still_in_progress_at_the_catch_up_are_left_for_their_notification() -> None:
    replay = Replay(retention_seconds=3600)
    replay.restart(Snapshot.parse("100:100:"))

    missed = replay.advance(Snapshot.parse("100:102:100"), [record(7, 100), record(8, 101)])
    notified_later = replay.notified([record(7, 100)])
    notified_again = replay.notified([record(8, 101), record(7, 100)])

    assert missed == [record(8, 101)]
    assert notified_later == [record(7, 100)]
    assert notified_again == []


def test_rows_nobody_was_subscribed_to_are_never_replayed() -> None:
    replay = Replay(retention_seconds=3600)
    replay.restart(Snapshot.parse("100:100:"))
    replay.skipped([7])

    missed = replay.advance(Snapshot.parse("101:101:"), [record(7, 100)])

    assert missed == []


def test_a_cursor_older_than_the_retention_minus_the_margin_cannot_replay() -> None:
    clock = Monotonic()
    replay = Replay(retention_seconds=600, monotonic=clock)
    assert not replay.can_replay()  # no cursor yet
    replay.restart(Snapshot.parse("100:100:"))

    clock.now += 600 - REPLAY_MARGIN_SECONDS
    still = replay.can_replay()
    clock.now += 1
    too_old = replay.can_replay()

    assert (still, too_old) == (True, False)
