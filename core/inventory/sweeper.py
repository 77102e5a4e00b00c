"""The reservation sweeper: delete expired reservations until none are left.

Run by ``omnicart inventory sweep`` and periodically by every server process.
Expired reservations already stop counting the moment they expire (reads subtract
them); sweeping keeps the counters and the expiry index short and emits the
``ReservationsExpired`` events.

Safe to run in many processes at once: ``expire_reservations`` locks the stock rows
first and deletes a reservation and takes it off its counter in one transaction
under those locks, so each reservation is released exactly once, by whichever
sweeper (or write) gets there first; the others find nothing left to delete.
"""

from __future__ import annotations

import logging

from core.inventory.reservations import SWEEP_BATCH, expire_reservations
from core.runtime import Runtime

logger = logging.getLogger(__name__)

# A sweep stops after this many batches even if more keeps expiring; the next one
# continues. (Each batch is up to SWEEP_BATCH stock levels.)
MAX_BATCHES = 1000


async def sweep_expired(runtime: Runtime, *, batch: int = SWEEP_BATCH) -> int:
    """Delete every reservation expired at the start of the sweep; how many were released.

    Works in short transactions of up to ``batch`` stock levels each. Reservations
    that expire while the sweep runs are left for the next one, so it always ends.
    """
    now = runtime.clock.now()
    released = 0
    for _ in range(MAX_BATCHES):
        expired = await expire_reservations(runtime.uow(), now=now, limit=batch)
        if not expired:
            break
        released += len(expired)
    return released
