"""The state machine's fulfilment rules driven along one fixed path (the random runs of
test_state_machine.py reach it rarely): an order shipped in part from the warehouse, a
unit of it rerouted to the store, then cancelled, releasing only what it still held; a
click-and-collect order made ready, refused a wrong code, then collected; an order
shipped, returned in another channel, received at two locations (restocked, written
off) and refunded in two parts, each with its refusal, and a refund sent again. The rules'
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
from core.orders.return_model import Disposition
from core.runtime import Runtime
from tests.core.carts.return_rules import payment
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


Path = Callable[[ShopMachine], list[Callable[[], None]]]


def walk(runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop, path: Path) -> None:
    """Take a new machine along ``path``'s steps, checking the invariants after each;
    inside a hypothesis test, so that the rules' ``event`` calls have a home (and show
    with pytest --hypothesis-show-statistics)."""

    @settings(max_examples=1, database=None, deadline=None)
    @given(st.just(None))
    def run(_: None) -> None:
        machine = ShopMachine(runtime, clock, loop)
        try:
            for step in path(machine):
                step()
                machine.stock_and_holds_agree()
        finally:
            machine.teardown()

    run()


def shipped_cancelled_and_collected(machine: ShopMachine) -> list[Callable[[], None]]:
    return [
        lambda: machine.open_shop(MergePolicy.SUM, MergePolicy.SUM, 0, ship_from_store=False),
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
        lambda: cancelled_and_completed(machine),
    ]


def cancelled_and_completed(machine: ShopMachine) -> None:
    rows = machine.rows
    first, second = sorted(rows.orders)
    assert rows.orders[first]["status"] == "cancelled"
    assert sum(rows.fulfilled(first).values()) == 1
    assert rows.orders[second]["status"] == "completed"
    assert sum(rows.fulfilled(second).values()) == 2


def returned_received_and_refunded(machine: ShopMachine) -> list[Callable[[], None]]:
    restock, write_off = Disposition.RESTOCK, Disposition.WRITE_OFF
    return [
        lambda: machine.open_shop(MergePolicy.SUM, MergePolicy.SUM, 0, ship_from_store=False),
        lambda: machine.buy(0, [(0, 3)], collect=False),
        lambda: machine.fulfil(0, 3),  # all three leave the warehouse: captured
        lambda: machine.return_units(0, 0, None),  # four of three: refused
        lambda: machine.return_units(0, 2, "mobile"),  # two, in the other channel
        lambda: machine.receive(0, 0, 1, restock),  # three of two: refused
        lambda: machine.receive(0, 1, 1, restock),  # one back on hand at the store
        lambda: machine.receive(0, 1, 2, write_off),  # one written off at the far warehouse
        lambda: machine.receive(0, 1, 0, restock),  # nothing left to receive: refused
        lambda: machine.return_units(0, 3, None),  # the last one
        lambda: machine.refund(0, 50, "within"),  # half
        lambda: machine.refund(0, 1, "over"),  # one cent more than is left: refused
        lambda: machine.refund(0, 1, "again"),  # the half again: replayed
        lambda: machine.refund(0, 100, "within"),  # the rest
        lambda: refunded_in_full(machine),
    ]


def refunded_in_full(machine: ShopMachine) -> None:
    rows, world = machine.rows, machine.world
    [order_id] = rows.orders
    paid = payment(rows, order_id)
    assert paid["status"] == rows.orders[order_id]["payment_status"] == "REFUNDED"
    assert paid["refunded_minor"] == paid["captured_minor"] > 0
    assert len(rows.tables["refunds"]) == 2
    assert machine.ledger.restocked == {world.variants[0]: 1}
    [first, last] = rows.tables["return_lines"]
    assert (first["received"], first["restocked"], first["written_off"]) == (2, 1, 1)
    assert (last["quantity"], last["received"]) == (1, 0)
    # The unit restocked is on hand at the store: two there at the start, one more.
    assert rows.levels[(world.variants[0], world.locations[1].id)][0] == 3


def test_partial_fulfilment_cancel_and_collection_keep_stock_reconciled(
    runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
) -> None:
    walk(runtime, clock, loop, shipped_cancelled_and_collected)


def test_returns_receipts_and_refunds_keep_stock_and_payments_reconciled(
    runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
) -> None:
    walk(runtime, clock, loop, returned_received_and_refunded)
