"""The base of the cart and stock state machine (test_state_machine.py): the shop, what
the model knows of each cart, how a request's outcome is checked, and the invariants
read from the rows after every step.

The model is small on purpose: the rows are the state. Before each request a rule
predicts from the rows whether it is refused, and with which code; a refused request
must leave every row as it was. What the model keeps is what rows cannot tell: which
carts the machine made (with their tokens), which keyed requests may be replayed, and,
per cart, whether the design promises that its lines are held in full.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant

from core.carts.services import CartResult
from core.channels.model import MergePolicy
from core.clock import FrozenClock
from core.errors import DomainError, ErrorCode
from core.ids import CartId, VariantId
from core.runtime import Runtime
from tests.core.carts.ledger import StockLedger
from tests.factories import FROZEN_AT, Rows, World, make_world, read_rows, truncate

T = TypeVar("T")


@dataclass
class Tracked:
    """A cart the machine made."""

    token: str
    id: CartId
    # Every line has been held in full since the cart's last change: true after a
    # change made while its holds were live (or one that leaves no lines), false once
    # they lapsed or a resume or merge could not hold everything.
    exact: bool = True
    # When the first of the holds the cart had after its last change expires; the
    # lines are promised in full only until then.
    until: datetime | None = None
    # After its last change, the cart's ``holds_until`` (what the services read to
    # decide whether its holds lapsed) was when its first hold expires, within the
    # channel's reservation lifetime.
    honest: bool = True
    # Deleted by the cart sweeper (SQLite may give its id to a new cart).
    gone: bool = False


@dataclass(frozen=True)
class Keyed:
    """A request that went through with an idempotency key, to send again."""

    cart: Tracked
    at: datetime
    send: Callable[[], Awaitable[CartResult]]
    # The same key with other arguments (refused), where the request has arguments.
    altered: Callable[[], Awaitable[CartResult]] | None = None
    # cartCreate's retry answers with the token.
    token: str | None = None


class MachineBase(RuleBasedStateMachine):
    def __init__(
        self, runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__()
        self.runtime, self.clock, self.loop = runtime, clock, loop
        self.run(truncate(runtime.engine))
        clock.set(FROZEN_AT)
        self.carts: list[Tracked] = []
        self.keyed: list[Keyed] = []
        self.keys = itertools.count()

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)

    def teardown(self) -> None:
        self.run(truncate(self.runtime.engine))

    @initialize(
        web_policy=st.sampled_from(MergePolicy),
        mobile_policy=st.sampled_from(MergePolicy),
        mobile_buffer=st.integers(0, 1),
        ship_from_store=st.booleans(),
    )
    def open_shop(
        self,
        web_policy: MergePolicy,
        mobile_policy: MergePolicy,
        mobile_buffer: int,
        ship_from_store: bool,
    ) -> None:
        self.world: World = self.run(
            make_world(
                self.runtime,
                web_policy=web_policy,
                mobile_policy=mobile_policy,
                mobile_buffer=mobile_buffer,
                ship_from_store=ship_from_store,
            )
        )
        # The rows as the last step left them (refreshed by the invariant).
        self.rows: Rows = self.run(read_rows(self.runtime))
        self.ledger = StockLedger({v: self.rows.on_hand(v) for v in self.world.variants})

    # ------------------------------------------------------------ requests and outcomes

    def attempt(self, awaitable: Awaitable[T]) -> tuple[T | None, DomainError | None]:
        try:
            return self.run(awaitable), None
        except DomainError as error:
            return None, error

    def settle(self, expected: ErrorCode | None, error: DomainError | None) -> Rows:
        """The rows after a request: refused with ``expected`` (and nothing written), or not."""
        after = self.run(read_rows(self.runtime))
        if expected is None:
            assert error is None, error.problems
        else:
            assert error is not None, f"expected {expected}"
            assert {problem.code for problem in error.problems} == {expected}, error.problems
            assert after.unchanged_since(self.rows)
        return after

    def versions(self, after: Rows, bumped: Collection[int] = ()) -> None:
        """The changed carts' versions went up by one; no other cart's moved or went."""
        before = self.rows.carts
        assert set(before) <= set(after.carts)
        for cart_id, row in before.items():
            assert after.carts[cart_id]["version"] == row["version"] + (cart_id in bumped)

    def changed(self, cart: Tracked, after: Rows, *, exact: bool) -> None:
        """Note a successful change of ``cart``; ``exact``: its lines are held in full.

        ``holds_until`` must be the expiry of the holds the cart has now, unless it
        lagged already (the cart's holds lapsed before this change).
        """
        row = after.carts[cart.id]
        holds_until, until = row["holds_until"], after.hold_expiry(cart.id)
        lifetime = timedelta(seconds=self.world.channel(row["channel_id"]).reservation_ttl_seconds)
        # Within the channel's lifetime, or later changes would not push it
        # (core.carts.change.touch).
        honest = until == holds_until and holds_until <= after.now + lifetime
        if cart.honest:
            assert honest, (cart, until, holds_until)
        cart.exact, cart.until, cart.honest = exact, until, honest

    def holds_live(self, cart: Tracked) -> bool:
        """Whether every hold the cart had after its last change is still live."""
        return cart.until is not None and cart.until > self.rows.now

    def key(self, keyed: bool) -> str | None:
        return f"state-machine-key-{next(self.keys):06d}" if keyed else None

    def remember(
        self,
        cart: Tracked,
        send: Callable[[], Awaitable[CartResult]],
        altered: Callable[[], Awaitable[CartResult]] | None = None,
        token: str | None = None,
    ) -> None:
        self.keyed.append(Keyed(cart, self.rows.now, send, altered, token))

    def tracked(self, cart_id: int) -> Tracked:
        [cart] = [cart for cart in self.carts if cart.id == cart_id and not cart.gone]
        return cart

    def row(self, cart: Tracked) -> dict[str, Any] | None:
        """The cart's row before this step; None once swept."""
        return None if cart.gone else self.rows.cart(cart.id)

    # ------------------------------------------------------------ predictions

    def cart_refusal(self, cart: Tracked, expected_version: int | None = None) -> ErrorCode | None:
        """What a change of this cart is refused with before its lines are looked at."""
        row = self.row(cart)
        if row is None:
            return ErrorCode.CART_NOT_FOUND
        if row["status"] != "active":
            return ErrorCode.CART_NOT_ACTIVE
        if row["expires_at"] <= self.rows.now:
            return ErrorCode.CART_EXPIRED
        if expected_version is not None and expected_version != row["version"]:
            return ErrorCode.CART_VERSION_CONFLICT
        return None

    def stock_refusal(
        self, cart: Tracked, variant_id: VariantId, quantity: int
    ) -> ErrorCode | None:
        """A line growing to ``quantity``: the cart must then hold at least what it held
        plus the increase, or the whole quantity (services.add_lines, update_lines)."""
        rows, channel_id = self.rows, self.rows.carts[cart.id]["channel_id"]
        if not self.world.sold_in(channel_id, variant_id):
            return ErrorCode.NOT_SOLD_IN_CHANNEL
        line = rows.lines(cart.id).get(variant_id, 0)
        held = rows.held(cart.id).get(variant_id, 0)
        can = rows.sellable(self.world, channel_id, variant_id)
        if can >= quantity - line or held + can >= quantity:
            return None
        return ErrorCode.INSUFFICIENT_STOCK

    # ------------------------------------------------------------ invariants

    @invariant()
    def stock_and_holds_agree(self) -> None:
        rows = self.rows = self.run(read_rows(self.runtime))
        by_level: dict[tuple[int, int], int] = defaultdict(int)
        for reservation in rows.reservations:
            key = (reservation["variant_id"], reservation["location_id"])
            by_level[key] += reservation["quantity"]
        for key, (on_hand, reserved) in rows.levels.items():
            # reserved counts every reservation row, expired ones until they are deleted
            # (core/inventory/tables.py), and never exceeds what is on hand.
            assert 0 <= reserved <= on_hand and reserved == by_level.pop(key, 0), key
        assert not by_level, f"reservations without a stock row: {by_level}"
        owners = {
            "cart": {str(cart_id) for cart_id in rows.carts},
            "order": {str(order_id) for order_id in rows.orders},
        }
        assert all(row["owner_id"] in owners[row["owner_kind"]] for row in rows.reservations)
        self.orders_reconcile(rows)
        for variant_id in self.world.variants:
            # On hand everywhere is what the machine put in, less what it shipped.
            terms = self.ledger.terms(variant_id)
            assert rows.on_hand(variant_id) == sum(terms.values()), (variant_id, terms)
        for cart in self.carts:
            row = None if cart.gone else rows.cart(cart.id)
            if row is None:
                continue
            held, lines = rows.held(cart.id), rows.lines(cart.id)
            assert all(q <= lines.get(v, 0) for v, q in held.items()), (cart, held, lines)
            if row["status"] != "active":
                assert held == {}, (cart, held)
            elif cart.exact and row["expires_at"] > rows.now and self.holds_live(cart):
                assert held == lines, (cart, held, lines)

    def orders_reconcile(self, rows: Rows) -> None:
        """Each order's allocations plus what left for it are its lines, unless it was
        cancelled: then it holds nothing. What left is what the machine shipped."""
        assert set(self.ledger.shipped) <= set(rows.orders)
        for order_id, order in rows.orders.items():
            allocated, fulfilled = rows.allocated(order_id), rows.fulfilled(order_id)
            assert fulfilled == self.ledger.shipped.get(order_id, {}), (order, fulfilled)
            done = rows.fulfilled_lines(order_id)
            assert all(
                done.get(r["id"], 0) <= r["quantity"] for r in rows.order_line_rows(order_id)
            )
            if order["status"] == "cancelled":
                assert allocated == {}, (order, allocated)
                continue
            both = {
                variant_id: allocated.get(variant_id, 0) + fulfilled.get(variant_id, 0)
                for variant_id in {*allocated, *fulfilled}
            }
            assert both == rows.order_lines(order_id), (order, allocated, fulfilled)
