"""What a resume or a merge leaves behind: holds that last as the cart says, lines as the
merge reports them, and an expired customer cart that is no one's. Each was a bug found
by the cart state machine (test_state_machine.py) or by reading the code around it."""

from __future__ import annotations

from datetime import timedelta

from core.carts import services
from core.carts.merge import merge_guest_cart
from core.carts.model import MergeAction
from core.carts.services import Caller, LineInput
from core.channels.model import MergePolicy
from core.clock import FrozenClock
from core.inventory import services as inventory
from core.runtime import Runtime
from tests.factories import World, make_world, read_rows


async def shop(runtime: Runtime, policy: MergePolicy = MergePolicy.SUM) -> World:
    # web holds for 600 s, mobile for 300 s.
    return await make_world(runtime, web_policy=policy, mobile_policy=policy, mobile_buffer=0)


async def add_one(runtime: Runtime, token: str, world: World) -> None:
    await services.add_lines(runtime.uow(), token=token, lines=[LineInput(world.variants[0], 1)])


async def test_resuming_where_holds_are_shorter_still_holds_every_line_on_the_next_add(
    runtime: Runtime, clock: FrozenClock
) -> None:
    world = await shop(runtime)
    created = await services.create_cart(
        runtime.uow(), channel_id=world.web.id, lines=[LineInput(world.variants[0], 2)]
    )
    assert created.token is not None
    resumed = await services.resume_cart(
        runtime.uow(), token=created.token, channel_id=world.mobile.id
    )
    assert resumed.unavailable == ()
    # Mobile's holds (300 s) lapse; the cart still says they last until web's (600 s).
    clock.advance(timedelta(seconds=400))

    await add_one(runtime, created.token, world)

    rows = await read_rows(runtime)
    cart_id = created.cart.cart.id
    assert rows.held(cart_id) == rows.lines(cart_id) == {world.variants[0]: 3}


async def test_merged_holds_last_as_long_as_the_customer_carts_own(
    runtime: Runtime, clock: FrozenClock
) -> None:
    world = await shop(runtime)
    guest = await services.create_cart(
        runtime.uow(), channel_id=world.web.id, lines=[LineInput(world.variants[0], 2)]
    )
    clock.advance(timedelta(seconds=300))
    mine = await services.create_cart(
        runtime.uow(),
        channel_id=world.web.id,
        lines=[LineInput(world.variants[1], 1)],
        caller=Caller(world.customer.id),
    )
    assert guest.token is not None and mine.token is not None
    await merge_guest_cart(runtime.uow(), customer_id=world.customer.id, guest_token=guest.token)
    # The guest's holds (taken 700 s ago) lapse; the customer's cart's (400 s ago) do not.
    clock.advance(timedelta(seconds=400))

    await add_one(runtime, mine.token, world)

    rows = await read_rows(runtime)
    cart_id = mine.cart.cart.id
    assert rows.held(cart_id) == rows.lines(cart_id) == {world.variants[0]: 3, world.variants[1]: 1}


async def test_a_merge_capped_to_nothing_leaves_the_line_as_reported(
    runtime: Runtime, clock: FrozenClock
) -> None:
    world = await shop(runtime, MergePolicy.KEEP_GUEST)
    variant_id = world.variants[0]
    mine = await services.create_cart(
        runtime.uow(),
        channel_id=world.web.id,
        lines=[LineInput(variant_id, 2)],
        caller=Caller(world.customer.id),
    )
    guest = await services.create_cart(
        runtime.uow(), channel_id=world.web.id, lines=[LineInput(variant_id, 1)]
    )
    assert guest.token is not None
    # Both carts' holds lapse, and the staff count the variant out everywhere.
    clock.advance(timedelta(seconds=700))
    for location in world.locations:
        await inventory.set_stock(
            runtime.uow(),
            variant_id=variant_id,
            location_id=location.id,
            quantity=0,
            reason="count",
            actor="staff",
        )

    merged = await merge_guest_cart(
        runtime.uow(), customer_id=world.customer.id, guest_token=guest.token
    )

    assert merged.report is not None
    [entry] = merged.report.entries
    assert (entry.action, entry.quantity_after) == (MergeAction.CAPPED, 0)
    rows = await read_rows(runtime)
    assert rows.lines(mine.cart.cart.id).get(variant_id, 0) == entry.quantity_after


async def test_an_expired_customer_cart_is_no_longer_the_active_cart(
    runtime: Runtime, clock: FrozenClock
) -> None:
    world = await shop(runtime)
    await services.create_cart(
        runtime.uow(),
        channel_id=world.web.id,
        lines=[LineInput(world.variants[0], 1)],
        caller=Caller(world.customer.id),
    )
    clock.advance(timedelta(seconds=world.web.cart_ttl_seconds + 1))

    found = await services.active_cart(runtime.uow(), world.customer.id, world.web.id)

    assert found is None
