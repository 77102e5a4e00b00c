"""The per-process channel cache for hot reads: bounded staleness, local forgetting."""

from __future__ import annotations

from core.channels.cache import ChannelCache
from core.channels.services import update_channel
from core.runtime import Runtime
from tests.factories import StatementCounter, make_channel


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_channel_is_read_once_within_the_ttl(
    runtime: Runtime, count_statements: StatementCounter
) -> None:
    await make_channel(runtime, slug="web")
    cache = ChannelCache(runtime.reads, ttl_seconds=5, monotonic=Ticks())

    count_statements.reset()
    first = await cache.by_slug("web")
    second = await cache.by_slug("web")

    assert first is not None and first == second
    assert count_statements.count == 1


async def test_a_change_made_elsewhere_shows_after_the_ttl(runtime: Runtime) -> None:
    channel = await make_channel(runtime, slug="web", name="Web")
    ticks = Ticks()
    cache = ChannelCache(runtime.reads, ttl_seconds=5, monotonic=ticks)
    await cache.by_slug("web")
    await update_channel(runtime.uow(), channel_id=channel.id, name="Web shop")

    ticks.now += 4
    within = await cache.by_slug("web")
    ticks.now += 2
    after = await cache.by_slug("web")

    assert within is not None and within.name == "Web"
    assert after is not None and after.name == "Web shop"


async def test_forgetting_drops_what_was_read(runtime: Runtime) -> None:
    channel = await make_channel(runtime, slug="web", name="Web")
    cache = ChannelCache(runtime.reads, ttl_seconds=60, monotonic=Ticks())
    await cache.by_slug("web")
    await update_channel(runtime.uow(), channel_id=channel.id, name="Web shop")

    cache.forget()

    found = await cache.by_slug("web")
    assert found is not None and found.name == "Web shop"


async def test_an_unknown_slug_is_none(runtime: Runtime) -> None:
    cache = ChannelCache(runtime.reads, ttl_seconds=5, monotonic=Ticks())

    assert await cache.by_slug("nowhere") is None
