"""The server's periodic sweep: started with the app, releases expired reservations (as
they expire), survives a failing sweep, stops cleanly on shutdown, and can be switched off."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from core.clock import FrozenClock, SystemClock
from core.config import Settings
from core.inventory.model import OwnerKind
from core.inventory.reservations import reserve_for_channel
from core.maintenance import SweepReport, sweep
from core.runtime import Runtime
from schema.app import create_app
from tests.factories import Shop, make_shop, stored


async def hold(runtime: Runtime, shop: Shop, quantity: int, *, ttl_seconds: int = 60) -> None:
    await reserve_for_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.CART,
        owner_id="cart-1",
        variant_id=shop.variant_id,
        quantity=quantity,
        ttl_seconds=ttl_seconds,
    )


async def reservations_left(runtime: Runtime, *, within: float = 5.0) -> int:
    """Poll until the reservations are gone (or time is up); how many are left."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        left = len((await stored(runtime)).reservations)
        if left == 0 or asyncio.get_running_loop().time() > deadline:
            return left
        await asyncio.sleep(0.02)


async def logged(caplog: pytest.LogCaptureFixture, text: str, *, within: float = 5.0) -> bool:
    """Poll until ``text`` was logged (or time is up)."""
    deadline = asyncio.get_running_loop().time() + within
    while text not in caplog.text:
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_the_server_sweeps_expired_reservations_periodically(
    settings: Settings,
    runtime: Runtime,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    app = create_app(replace(settings, sweep_interval_seconds=0.01), runtime=runtime)
    caplog.set_level(logging.INFO, logger="schema.app")

    async with app.router.lifespan_context(app):
        await hold(runtime, shop, 2)
        await asyncio.sleep(0.05)
        assert len((await stored(runtime)).reservations) == 1  # not expired yet
        clock.set(clock.now() + timedelta(seconds=61))
        assert await reservations_left(runtime) == 0
        # The sweep logs after its last statement; leaving sooner would cancel it first.
        released_logged = await logged(caplog, "reservation sweep released=1")

    assert (await stored(runtime)).levels[(shop.variant_id, shop.warehouse.id)] == (5, 0)
    assert released_logged


async def test_the_server_sweeps_a_reservation_when_it_expires_not_at_the_interval(
    settings: Settings, runtime: Runtime
) -> None:
    on_the_wall_clock = Runtime.build(
        settings,
        engine=runtime.engine,
        reads=runtime.reads,
        clock=SystemClock(),
        plugins=runtime.plugins,
        bus=runtime.bus,
    )
    shop = await make_shop(on_the_wall_clock, warehouse=5)
    await hold(on_the_wall_clock, shop, 2, ttl_seconds=1)
    app = create_app(replace(settings, sweep_interval_seconds=3600), runtime=on_the_wall_clock)

    async with app.router.lifespan_context(app):
        left = await reservations_left(on_the_wall_clock, within=5.0)

    assert left == 0
    assert (await stored(runtime)).levels[(shop.variant_id, shop.warehouse.id)] == (5, 0)


async def test_a_failing_sweep_is_logged_and_the_next_one_runs(
    settings: Settings,
    runtime: Runtime,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    await hold(runtime, shop, 1)
    clock.set(clock.now() + timedelta(seconds=61))
    calls = 0

    async def flaky(runtime: Runtime) -> SweepReport:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise ConnectionError("database went away")
        return await sweep(runtime)

    app = create_app(replace(settings, sweep_interval_seconds=0.01), runtime=runtime, sweep=flaky)

    async with app.router.lifespan_context(app):
        assert await reservations_left(runtime) == 0

    assert calls >= 3
    assert "reservation sweep failed" in caplog.text
    assert "ConnectionError: database went away" in caplog.text


async def test_an_interval_of_zero_switches_the_sweep_off(
    settings: Settings, runtime: Runtime, clock: FrozenClock
) -> None:
    calls: list[Runtime] = []

    async def recorded(runtime: Runtime) -> SweepReport:
        calls.append(runtime)
        return SweepReport(released=0, pruned=0)

    app = create_app(replace(settings, sweep_interval_seconds=0), runtime=runtime, sweep=recorded)

    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.05)

    assert calls == []


def test_the_interval_setting_is_read_from_the_environment() -> None:
    assert Settings().sweep_interval_seconds == 30
    environ = {"OMNICART_SWEEP_INTERVAL_SECONDS": "0"}
    assert Settings.from_environ(environ).sweep_interval_seconds == 0
    with pytest.raises(ValueError, match="OMNICART_SWEEP_INTERVAL_SECONDS"):
        Settings.from_environ({"OMNICART_SWEEP_INTERVAL_SECONDS": "often"})
