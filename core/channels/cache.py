"""A short-lived, per-process cache of channels by slug, for hot reads.

Every catalog read needs its channel (currency, enabled plugins). Reading it
costs a statement and a connection checkout per request, a tenth of a listing's
time. Channels change rarely, so a process keeps what it read for
``ttl_seconds``: a change made by another process shows within that time; one made
through this process's runtime is dropped at once (``forget``). Writes never use
this cache: services read the channel inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from core.channels import queries
from core.channels.model import Channel
from core.db.reads import Reads

# A bound on memory: a client sending endless unknown slugs must not grow it.
MAX_ENTRIES = 256


class ChannelCache:
    def __init__(self, reads: Reads, *, ttl_seconds: float, monotonic: Callable[[], float]) -> None:
        self._reads = reads
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, Channel | None]] = {}

    async def by_slug(self, slug: str) -> Channel | None:
        """The channel, or None when there is none; at most ``ttl_seconds`` old."""
        now = self._monotonic()
        entry = self._entries.get(slug)
        if entry is not None and now - entry[0] < self._ttl:
            return entry[1]
        async with self._reads.connect() as connection:
            channel = await queries.channel_by_slug(connection, slug)
        if self._ttl > 0:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[slug] = (now, channel)
        return channel

    def forget(self) -> None:
        """Drop everything: a channel was changed through this process."""
        self._entries.clear()
