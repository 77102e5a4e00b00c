"""The state machine's fulfilment rules driven along one fixed path (the random runs of
test_state_machine.py reach it rarely): an order shipped in part from the warehouse, a
unit of it rerouted to the store, then cancelled, releasing only what it still held; a
click-and-collect order made ready, refused a wrong code, then collected. The rules'
own checks and the machine's invariants (the stock ledger among them) run after every
step, on the real database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.channels.model import MergePolicy
from core.clock import FrozenClock
from core.runtime import Runtime
from tests.core.carts.test_state_machine import ShopMachine


@pytest.fixture
async def loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def moved_to_store(machine: ShopMachine) -> None:
    [order_id] = machine.rows.orders
    world = machine.world
    warehouse, store = world.locations[0].id, world.locations[1].id
    variant_id = world.variants[0]
    assert machine.rows.allocated_at(order_id) == {
        (variant_id, warehouse): 1,
        (variant_id, store): 1,
    }


def test_partial_fulfilment_cancel_and_collection_keep_stock_reconciled(
    runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
) -> None:
    # Inside a hypothesis test, so that the rules' ``event`` calls have a home.
    @settings(max_examples=1, database=None, deadline=None)
    @given(st.just(None))
    def run(_: None) -> None:
        machine = ShopMachine(runtime, clock, loop)
        try:
            steps: list[Callable[[], None]] = [
                lambda: machine.open_shop(
                    MergePolicy.SUM, MergePolicy.SUM, 0, ship_from_store=False
                ),
                # Three of the first variant on the web: the warehouse holds four.
                lambda: machine.buy(0, [(0, 3)], collect=False),
                lambda: machine.fulfil(0, 0),  # one more than held there: refused
                lambda: machine.fulfil(0, 1),
                # One of the two left is missing on the warehouse's shelf: the store has it.
                lambda: machine.reroute(0, 1),
                lambda: moved_to_store(machine),
                lambda: machine.cancel(0),
                # The store holds two: collected there.
                lambda: machine.buy(0, [(0, 2)], collect=True),
                lambda: machine.ready(0),
                lambda: machine.collect(0, wrong=True),
                lambda: machine.collect(0, wrong=False),
            ]
            for step in steps:
                step()
                machine.stock_and_holds_agree()
            rows = machine.rows
            first, second = sorted(rows.orders)
            assert rows.orders[first]["status"] == "cancelled"
            assert sum(rows.fulfilled(first).values()) == 1
            assert rows.orders[second]["status"] == "completed"
            assert sum(rows.fulfilled(second).values()) == 2
        finally:
            machine.teardown()

    run()
