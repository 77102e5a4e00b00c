"""Random cart, stock and order requests through the services the API calls, on the real
database, with the invariants of stock and carts checked from the rows after every step
(issue 12, point 5; DESIGN.md, "One source of truth for every write").

The rules call what the GraphQL resolvers and the CLI call: the cart services
(cart_rules.py), the merge of cartMerge and of customerLogin, the sweeps of ``omnicart
inventory sweep`` and ``omnicart carts sweep`` with the clock moved past the holds' and
carts' lifetimes, the staff's stock services (sale, count, transfer), retries of keyed
requests, checkout and cancellation (order_rules.py), fulfilment, reroutes and pickups
(fulfil_rules.py), returns, receipts and refunds (return_rules.py). After every step
(machine.py): on hand >= 0; reserved is the sum of the level's reservations and never
exceeds on hand; a cart holds no more than its lines ask for, nothing once merged, and
exactly its lines while the design promises it; versions go up by one with every change
and never on a refusal; a refusal or a retry leaves every row as it was; a placed
order's allocations are exactly its lines, a cancelled order holds nothing, and a cart
that held all its lines always checks out; on hand reconciles with what the machine put
in, shipped and restocked (ledger.py); nothing is returned, received or refunded beyond
what was fulfilled, returned or captured.

The run's ``event`` counts show with ``pytest --hypothesis-show-statistics``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule, run_state_machine_as_test

from core import maintenance
from core.carts.merge import MergeResult, merge_guest_cart, merge_into_customer
from core.carts.model import MergeAction
from core.carts.services import CartLimits
from core.carts.sweeper import IDEMPOTENCY_RETENTION, sweep_carts
from core.channels.model import MergePolicy
from core.clock import FrozenClock
from core.customers import services as customers
from core.errors import ErrorCode
from core.inventory import services as inventory
from core.keys import CART_SEAL
from core.runtime import Runtime
from tests.core.carts.machine import Tracked
from tests.core.carts.return_rules import ReturnRules
from tests.factories import PASSWORD, Rows, read_rows


class ShopMachine(ReturnRules):
    @precondition(lambda self: self.carts)
    @rule(pick=st.integers(0, 99), at_login=st.booleans())
    def merge(self, pick: int, at_login: bool) -> None:
        guest, rows = self.carts[pick % len(self.carts)], self.rows
        customer_id = self.world.customer.id
        row = self.row(guest)
        survivor_id = None if row is None else rows.survivor(customer_id, row["channel_id"])
        expected, kind = None, "merge"
        if row is None:
            expected = ErrorCode.CART_NOT_FOUND
        elif row["status"] != "active" or row["expires_at"] <= rows.now:
            # Merged already, or lapsed: nothing to add; the customer's cart answers.
            kind = "nothing"
            if survivor_id is None and row["merged_into_id"] is None:
                expected = ErrorCode.CART_NOT_FOUND
        elif survivor_id in (None, guest.id):
            kind = "adopt"
        # A login counts a password attempt that only a login that goes through forgets:
        # refused merges go through cartMerge, so that the attempts never run out.
        merging = (
            self.log_in(guest)
            if at_login and expected is None
            else merge_guest_cart(
                self.runtime.uow(), customer_id=customer_id, guest_token=guest.token
            )
        )
        result, error = self.attempt(merging)
        after = self.settle(expected, error)
        if result is None or kind == "nothing":
            assert result is None or result.report is None
            assert after.unchanged_since(rows)
            return
        assert row is not None and result.report is not None
        if kind == "adopt":
            # The guest cart becomes the customer's.
            self.versions(after, (guest.id,))
            assert after.carts[guest.id]["customer_id"] == customer_id
            assert after.lines(guest.id) == rows.lines(guest.id)
            entries = [(e.variant_id, e.action, e.quantity_after) for e in result.report.entries]
            if survivor_id is None:
                lines = rows.lines(guest.id).items()
                assert entries == [(v, MergeAction.ADDED, q) for v, q in lines]
            self.changed(guest, after, exact=guest.exact and self.holds_live(guest))
            return
        assert survivor_id is not None
        self.check_merge(guest, self.tracked(survivor_id), after, result)

    async def log_in(self, guest: Tracked) -> MergeResult:
        # What customerLogin does with a guest cart token (schema/customers/mutations.py).
        verified = await customers.check_credentials(
            self.runtime.uow(), email=self.world.customer.email, password=PASSWORD
        )
        uow = self.runtime.uow()
        seal_key = await uow.keys.key(CART_SEAL)
        async with uow:
            await customers.open_session(uow, verified, lifetime=timedelta(days=1))
            merged = await merge_into_customer(
                uow,
                customer_id=verified.customer_id,
                guest_token=guest.token,
                limits=CartLimits(),
                seal_key=seal_key,
            )
            await uow.commit()
        return merged

    def check_merge(
        self, guest: Tracked, survivor: Tracked, after: Rows, result: MergeResult
    ) -> None:
        """The guest cart went into the customer's: by the channel's policy, as reported."""
        rows, world = self.rows, self.world
        assert result.report is not None
        self.versions(after, (guest.id, survivor.id))
        merged = after.carts[guest.id]
        assert (merged["status"], merged["merged_into_id"]) == ("merged", survivor.id)
        assert after.held(guest.id) == {}
        channel_id = rows.carts[guest.id]["channel_id"]
        policy = world.channel(channel_id).cart_merge_policy
        guest_lines, mine = rows.line_rows(guest.id), rows.line_rows(survivor.id)
        lines, held = after.lines(survivor.id), after.held(survivor.id)
        entries = {entry.variant_id: entry for entry in result.report.entries}
        assert set(entries) == set(guest_lines)
        for variant_id, line in guest_lines.items():
            entry, before = entries[variant_id], mine.get(variant_id)
            quantity, had = line["quantity"], 0 if before is None else before["quantity"]
            action, got = entry.action, entry.quantity_after
            assert (entry.guest_quantity, entry.quantity_before) == (quantity, had)
            assert lines.get(variant_id, 0) == got
            # The cart holds the whole line unless the channel has nothing more to give.
            assert (
                not got
                or held.get(variant_id, 0) == got
                or after.sellable(world, channel_id, variant_id) == 0
            )
            if not world.sold_in(channel_id, variant_id):
                assert (action, got) == (MergeAction.DROPPED, had)
            elif before is None:
                capped = action is MergeAction.CAPPED and got < quantity
                assert capped or (action, got) == (MergeAction.ADDED, quantity)
            elif policy is MergePolicy.SUM:
                capped = action is MergeAction.CAPPED and had <= got < had + quantity
                assert capped or (action, got) == (MergeAction.INCREASED, had + quantity)
            elif policy is MergePolicy.KEEP_CUSTOMER or (
                policy is MergePolicy.NEWEST and before["updated_at"] >= line["updated_at"]
            ):
                assert (action, got) == (MergeAction.KEPT, had)
            else:
                capped = action is MergeAction.CAPPED and got < quantity
                assert capped or (action, got) == (MergeAction.REPLACED, quantity)
        for variant_id, line in mine.items():
            if variant_id not in guest_lines:
                assert lines[variant_id] == line["quantity"]
        exact = survivor.exact and self.holds_live(survivor)
        self.changed(survivor, after, exact=exact)

    # ------------------------------------------------------------ time and sweeps

    @rule(seconds=st.sampled_from([30, 90, 240, 400, 700, 1300, 3700]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))

    @rule(carts=st.booleans())
    def sweep(self, carts: bool) -> None:
        if carts:
            self.sweep_expired_carts()
        else:
            self.sweep_expired_reservations()

    def sweep_expired_reservations(self) -> None:
        # What `omnicart inventory sweep` and every server's periodic sweep run.
        rows = self.rows
        expired = [r for r in rows.reservations if r["expires_at"] <= rows.now]
        report = self.run(maintenance.sweep(self.runtime))
        after = self.run(read_rows(self.runtime))
        assert report.released == len(expired)
        assert all(r["expires_at"] > after.now for r in after.reservations)
        assert after.tables["carts"] == rows.tables["carts"]
        assert after.tables["cart_lines"] == rows.tables["cart_lines"]

    def sweep_expired_carts(self) -> None:
        # What `omnicart carts sweep` runs.
        rows = self.rows
        expired = {cart_id for cart_id, row in rows.carts.items() if row["expires_at"] <= rows.now}
        guests = {cart_id for cart_id in expired if rows.carts[cart_id]["customer_id"] is None}
        swept = self.run(sweep_carts(self.runtime.uow, now=rows.now))
        after = self.run(read_rows(self.runtime))
        assert swept.deleted_carts == len(guests)
        assert set(after.carts) == set(rows.carts) - guests
        assert not [
            r
            for r in after.reservations
            if r["owner_kind"] == "cart" and int(r["owner_id"]) in expired
        ]
        assert all(row == rows.carts[cart_id] for cart_id, row in after.carts.items())
        for cart in self.carts:
            cart.gone = cart.gone or cart.id in guests
        # Idempotency records go with their carts (a retried create makes a new cart
        # then), and after a day.
        self.keyed = [
            entry
            for entry in self.keyed
            if entry.at >= rows.now - IDEMPOTENCY_RETENTION
            and not (entry.token is not None and entry.cart.gone)
        ]

    # ------------------------------------------------------------ the staff's stock

    @rule(
        kind=st.sampled_from(["sale", "count", "transfer"]),
        location=st.integers(0, 2),
        other=st.integers(1, 2),
        variant=st.integers(0, 2),
        quantity=st.integers(0, 6),
    )
    def stock(self, kind: str, location: int, other: int, variant: int, quantity: int) -> None:
        world, rows = self.world, self.rows
        variant_id = world.variants[variant]
        here, there = world.locations[location].id, world.locations[(location + other) % 3].id
        on_hand = {
            loc.id: rows.levels.get((variant_id, loc.id), (0, 0))[0] for loc in world.locations
        }
        uow = self.runtime.uow()
        request: Awaitable[object]
        change = 0  # to the variant's on-hand total (the ledger's adjustments)
        if kind == "count":
            ok = quantity >= rows.reserved_live(variant_id, here)
            change = quantity - on_hand[here]
            on_hand[here] = quantity
            request = inventory.set_stock(
                uow,
                variant_id=variant_id,
                location_id=here,
                quantity=quantity,
                reason="count",
                actor="staff",
            )
        else:
            quantity = max(quantity, 1)
            ok = quantity <= rows.available_at(variant_id, here)
            on_hand[here] -= quantity
            if kind == "sale":  # at the till
                change = -quantity
                request = inventory.record_sale(
                    uow, variant_id=variant_id, location_id=here, quantity=quantity, actor="till"
                )
            else:
                on_hand[there] += quantity
                request = inventory.transfer_stock(
                    uow,
                    variant_id=variant_id,
                    from_location_id=here,
                    to_location_id=there,
                    quantity=quantity,
                    reason="rebalance",
                    actor="staff",
                )
        _, error = self.attempt(request)
        after = self.settle(None if ok else ErrorCode.INSUFFICIENT_STOCK, error)
        self.versions(after)
        if ok:
            self.ledger.adjust(variant_id, change)
            for location_id, expected in on_hand.items():
                assert after.levels.get((variant_id, location_id), (0, 0))[0] == expected

    # ------------------------------------------------------------ retries

    @precondition(lambda self: self.keyed)
    @rule(pick=st.integers(0, 999), altered=st.booleans())
    def retry(self, pick: int, altered: bool) -> None:
        entry = self.keyed[pick % len(self.keyed)]
        send = entry.altered if altered and entry.altered else entry.send
        expected = None
        if entry.cart.gone:
            expected = ErrorCode.CART_NOT_FOUND
        elif send is entry.altered:
            expected = ErrorCode.IDEMPOTENCY_KEY_REUSED
        result, error = self.attempt(send())
        after = self.settle(expected, error)
        assert after.unchanged_since(self.rows)
        if result is not None:
            assert result.replayed and result.cart.cart.id == entry.cart.id
            assert result.token == entry.token


@pytest.fixture
async def loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


RANDOM_RUN = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    # The same examples on every run and machine: CI failures reproduce.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_carts_and_stock_stay_consistent_under_random_requests(
    runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
) -> None:
    class Machine(ShopMachine):
        def __init__(self) -> None:
            super().__init__(runtime, clock, loop)

    run_state_machine_as_test(Machine, settings=RANDOM_RUN)


# Hypothesis' pytest plugin counts the rules' ``event`` calls (pytest
# --hypothesis-show-statistics) only in tests it takes for its own
# (hypothesis.is_hypothesis_test), reading their settings from the test: this one
# runs the machine inside, with fixtures pytest gives it.
for attribute, value in [
    ("is_hypothesis_test", True),
    ("_hypothesis_internal_use_settings", RANDOM_RUN),
]:
    setattr(test_carts_and_stock_stay_consistent_under_random_requests, attribute, value)
