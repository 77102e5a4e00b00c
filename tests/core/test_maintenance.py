"""The sweep's outbox pruning: events older than the retention go, younger ones stay."""

from __future__ import annotations

from datetime import timedelta

from core.clock import FrozenClock
from core.maintenance import prune_outbox
from core.runtime import Runtime
from tests.factories import CartChanged, stored_events


async def test_pruning_deletes_only_events_older_than_the_retention(
    runtime: Runtime, clock: FrozenClock
) -> None:
    now = clock.now()
    for age, cart_id in ((timedelta(hours=2), 1), (timedelta(minutes=61), 2), (timedelta(0), 3)):
        clock.set(now - age)
        async with runtime.uow() as uow:
            uow.record(CartChanged(cart_id=cart_id, version=1))
            await uow.commit()
    clock.set(now)

    pruned = await prune_outbox(runtime.uow(), retention_seconds=3600)

    assert pruned == 2
    assert [event.subject_ids for event in await stored_events(runtime)] == [[3]]
    assert await prune_outbox(runtime.uow(), retention_seconds=3600) == 0
