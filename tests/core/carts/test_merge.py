"""Merging a guest cart into a customer's cart: policies, reports, stock, concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.carts import services
from core.carts.merge import merge_guest_cart
from core.carts.model import CartStatus, MergeAction
from core.carts.services import Caller, CartLimits, LineInput
from core.channels import services as channels
from core.channels.model import MergePolicy
from core.clock import FrozenClock
from core.ids import CustomerId
from core.runtime import Runtime
from tests.factories import Store, make_customer, make_store, stored


async def cart(
    runtime: Runtime, store: Store, lines: dict[int, int], customer: CustomerId | None = None
) -> str:
    created = await services.create_cart(
        runtime.uow(),
        channel_id=store.channel.id,
        lines=[LineInput(store.variants[i], q) for i, q in lines.items()],
        caller=Caller(customer),
    )
    assert created.token
    return created.token


def quantities(store: Store, lines: object) -> dict[int, int]:
    index = {variant: i for i, variant in enumerate(store.variants)}
    return {index[line.variant_id]: line.quantity for line in lines}  # type: ignore[attr-defined]


async def held_by_owner(runtime: Runtime) -> dict[str, int]:
    totals: dict[str, int] = {}
    for reservation in (await stored(runtime)).reservations:
        totals[reservation.owner_id] = totals.get(reservation.owner_id, 0) + reservation.quantity
    return totals


async def test_sum_adds_quantities_moves_stock_and_marks_the_guest_cart(runtime: Runtime) -> None:
    store = await make_store(runtime)
    mine = await cart(runtime, store, {0: 2}, store.customer)
    guest = await cart(runtime, store, {0: 3, 1: 1})

    merged = await merge_guest_cart(runtime.uow(), customer_id=store.customer, guest_token=guest)

    assert merged.report is not None
    assert [(e.action, e.quantity_before, e.quantity_after) for e in merged.report.entries] == [
        (MergeAction.INCREASED, 2, 5),
        (MergeAction.ADDED, 0, 1),
    ]
    assert quantities(store, merged.cart.cart.lines) == {0: 5, 1: 1}
    survivor = merged.cart.cart
    assert await held_by_owner(runtime) == {str(survivor.id): 6}
    old = await services.read_cart(runtime.uow(), guest, Caller())
    assert old is not None and old.cart.status is CartStatus.MERGED
    assert old.cart.merged_into_id == survivor.id
    mine_now = await services.read_cart(runtime.uow(), mine, Caller(store.customer))
    assert mine_now is not None and mine_now.cart.version == survivor.version

    again = await merge_guest_cart(runtime.uow(), customer_id=store.customer, guest_token=guest)
    assert again.report is None
    assert quantities(store, again.cart.cart.lines) == {0: 5, 1: 1}


async def test_sum_is_capped_by_availability_and_the_line_limit(runtime: Runtime) -> None:
    store = await make_store(runtime, stock=6)
    await cart(runtime, store, {0: 1, 1: 2}, store.customer)
    guest = await cart(runtime, store, {0: 2, 1: 2})
    # Every hold lapses; another shopper takes 5 of the 6 units of variant 0.
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(seconds=store.channel.reservation_ttl_seconds + 1))
    await cart(runtime, store, {0: 5})

    merged = await merge_guest_cart(
        runtime.uow(),
        customer_id=store.customer,
        guest_token=guest,
        limits=CartLimits(max_line_quantity=3),
    )

    assert merged.report is not None
    assert [
        (e.action, e.quantity_before, e.quantity_after, e.reason) for e in merged.report.entries
    ] == [
        (MergeAction.CAPPED, 1, 1, "only 1 available"),
        (MergeAction.CAPPED, 2, 3, "at most 3 per line"),
    ]
    assert quantities(store, merged.cart.cart.lines) == {0: 1, 1: 3}


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (MergePolicy.KEEP_CUSTOMER, ({0: 2, 1: 1}, [MergeAction.KEPT, MergeAction.ADDED])),
        (MergePolicy.KEEP_GUEST, ({0: 3, 1: 1}, [MergeAction.REPLACED, MergeAction.ADDED])),
        (MergePolicy.NEWEST, ({0: 3, 1: 1}, [MergeAction.REPLACED, MergeAction.ADDED])),
    ],
)
async def test_other_policies(
    runtime: Runtime, policy: MergePolicy, expected: tuple[dict[int, int], list[MergeAction]]
) -> None:
    store = await make_store(runtime)
    await channels.update_channel(
        runtime.uow(), channel_id=store.channel.id, cart_merge_policy=policy
    )
    await cart(runtime, store, {0: 2}, store.customer)
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(seconds=1))
    guest = await cart(runtime, store, {0: 3, 1: 1})  # changed after the customer's

    merged = await merge_guest_cart(runtime.uow(), customer_id=store.customer, guest_token=guest)

    lines, actions = expected
    assert merged.report is not None
    assert [e.action for e in merged.report.entries] == actions
    assert quantities(store, merged.cart.cart.lines) == lines
    assert await held_by_owner(runtime) == {str(merged.cart.cart.id): sum(lines.values())}


async def test_without_a_customer_cart_the_guest_cart_becomes_theirs(runtime: Runtime) -> None:
    store = await make_store(runtime)
    guest = await cart(runtime, store, {0: 1})

    merged = await merge_guest_cart(runtime.uow(), customer_id=store.customer, guest_token=guest)

    assert merged.cart.cart.customer_id == store.customer
    assert merged.report is not None and [e.action for e in merged.report.entries] == [
        MergeAction.ADDED
    ]
    bob = await make_customer(runtime, email="bob@example.com")
    assert await services.read_cart(runtime.uow(), guest, Caller(bob.id)) is None


async def test_concurrent_logins_never_lose_or_duplicate_a_line(runtime: Runtime) -> None:
    store = await make_store(runtime, variants=30, stock=100)
    await cart(runtime, store, dict.fromkeys(range(0, 30, 2), 1), store.customer)
    guests = [await cart(runtime, store, {i: 1 for i in range(30)}) for _ in range(4)]

    results = await asyncio.gather(
        *(
            merge_guest_cart(runtime.uow(), customer_id=store.customer, guest_token=token)
            for token in [*guests, *guests]  # every device logs in twice
        )
    )

    final = await services.read_cart(runtime.uow(), guests[0], Caller())
    assert final is not None and final.cart.merged_into_id is not None
    survivor_id = final.cart.merged_into_id
    assert {result.cart.cart.id for result in results} == {survivor_id}
    reported = [result for result in results if result.report is not None]
    assert len(reported) == 4
    last = max(results, key=lambda result: result.cart.cart.version)
    expected = {i: 4 + (1 if i % 2 == 0 else 0) for i in range(30)}
    assert quantities(store, last.cart.cart.lines) == expected
    assert await held_by_owner(runtime) == {str(survivor_id): sum(expected.values())}
