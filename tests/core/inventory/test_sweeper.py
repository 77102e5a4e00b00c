"""The sweeper: every expired reservation released once, active ones kept, batches looped."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.clock import FrozenClock
from core.inventory import services
from core.inventory.model import OwnerKind
from core.inventory.reservations import reserve_for_channel
from core.inventory.sweeper import sweep_expired
from core.runtime import Runtime
from tests.factories import Shop, make_product, make_shop, stored


async def hold(runtime: Runtime, shop: Shop, owner: str, quantity: int, ttl: int) -> None:
    await reserve_for_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.CART,
        owner_id=owner,
        variant_id=shop.variant_id,
        quantity=quantity,
        ttl_seconds=ttl,
    )


async def test_a_sweep_releases_expired_reservations_and_keeps_active_ones(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime, warehouse=3, store=5)
    await hold(runtime, shop, "cart-a", 4, ttl=60)  # 3 + 1: two reservations
    await hold(runtime, shop, "cart-b", 2, ttl=600)
    clock.set(clock.now() + timedelta(seconds=61))

    released = await sweep_expired(runtime)

    assert released == 2
    after = await stored(runtime)
    assert [r.owner_id for r in after.reservations] == ["cart-b"]
    assert after.levels[(shop.variant_id, shop.warehouse.id)] == (3, 0)
    assert after.levels[(shop.variant_id, shop.store.id)] == (5, 2)
    assert await sweep_expired(runtime) == 0


async def test_a_sweep_loops_over_batches_until_nothing_is_left(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime, warehouse=5)
    more = await make_product(runtime, channel=shop.channel, slug="cap", variants=["C1", "C2"])
    for variant in more.variants:
        other = Shop(shop.channel, shop.warehouse, shop.store, variant.id)
        await services.set_stock(
            runtime.uow(),
            variant_id=variant.id,
            location_id=shop.warehouse.id,
            quantity=2,
            reason="count",
            actor="test",
        )
        await hold(runtime, other, f"cart-{variant.sku}", 1, ttl=60)
    await hold(runtime, shop, "cart-tee", 1, ttl=60)
    clock.set(clock.now() + timedelta(minutes=5))

    released = await sweep_expired(runtime, batch=1)

    assert released == 3
    assert (await stored(runtime)).reservations == []


async def test_concurrent_sweeps_release_each_reservation_once(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime, warehouse=10, store=10)
    for number in range(6):
        await hold(runtime, shop, f"cart-{number}", 3, ttl=60)
    clock.set(clock.now() + timedelta(minutes=2))

    counts = await asyncio.gather(*(sweep_expired(runtime) for _ in range(4)))

    assert sum(counts) == 7  # 6 carts, one split over both locations
    after = await stored(runtime)
    assert after.reservations == []
    assert after.levels[(shop.variant_id, shop.warehouse.id)] == (10, 0)
    assert after.levels[(shop.variant_id, shop.store.id)] == (10, 0)
