"""Rules of the state machine that move orders' units out of stock and between
locations, through the services fulfilmentCreate, allocationReroute,
orderReadyForPickup and orderPickupComplete call (core.orders, issue 14).

Every unit that leaves goes into the ledger (ledger.py), which the invariant
reconciles with on hand after every step; a refused request writes nothing.
"""

from __future__ import annotations

from typing import Any

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from core.channels.model import Location, LocationKind
from core.delivery.model import HANDED_OVER, DeliveryMethod
from core.errors import ErrorCode
from core.ids import LocationId, OrderId, OrderLineId, VariantId
from core.keys import PICKUP_CODE_SEAL
from core.orders import pickup_codes
from core.orders import services as orders
from core.orders.model import Tracking
from core.orders.services import FulfilmentLineInput
from tests.core.carts.order_rules import OPEN, OrderRules
from tests.factories import Rows, read_rows

TRACKING = Tracking("UPS", "1Z999", "")
ACTOR = "staff:machine"


class FulfilRules(OrderRules):
    # ------------------------------------------------------------ what the rows offer

    def holdings(self) -> list[tuple[int, VariantId, LocationId, int]]:
        """(order id, variant, location, units) that open orders hold, in a stable order."""
        rows = self.rows
        return [
            (order_id, variant_id, location_id, units)
            for order_id, order in sorted(rows.orders.items())
            if order["status"] in OPEN
            for (variant_id, location_id), units in sorted(rows.allocated_at(order_id).items())
        ]

    def pickup_sites(self) -> list[tuple[int, int]]:
        """(order id, store) where an open order is collected."""
        rows = self.rows
        return sorted(
            {
                (order_id, group["location_id"])
                for order_id, order in rows.orders.items()
                if order["status"] in OPEN
                for group in rows.groups(order_id)
                if DeliveryMethod(group["method"]) in HANDED_OVER
                and group["location_id"] is not None
            }
        )

    def waiting(self) -> list[tuple[int, int]]:
        """(order id, store) where an open order is ready and not collected yet."""
        return [
            site
            for site in self.pickup_sites()
            if (pickup := self.rows.pickup(*site)) is not None and pickup["collected_at"] is None
        ]

    def location(self, location_id: int) -> Location:
        [location] = [at for at in self.world.locations if at.id == location_id]
        return location

    def line_of(self, order_id: int, variant_id: VariantId) -> dict[str, Any]:
        [line] = [r for r in self.rows.order_line_rows(order_id) if r["variant_id"] == variant_id]
        return line

    def units_here(self, order_id: int, location_id: int) -> dict[VariantId, int]:
        """What a handover at the store gives: per variant of the lines collected there,
        the units left unfulfilled that the order holds there."""
        rows = self.rows
        line_ids = {
            units["order_line_id"]
            for group in rows.groups(order_id)
            if DeliveryMethod(group["method"]) in HANDED_OVER
            and group["location_id"] == location_id
            for units in group["lines"]
        }
        done, held = rows.fulfilled_lines(order_id), rows.allocated_at(order_id)
        units: dict[VariantId, int] = {}
        for line in rows.order_line_rows(order_id):
            if line["id"] in line_ids:
                variant_id = VariantId(line["variant_id"])
                left = line["quantity"] - done.get(line["id"], 0)
                take = min(left, held.get((variant_id, LocationId(location_id)), 0))
                if take > 0:
                    units[variant_id] = take
        return units

    def status_after(self, after: Rows, order_id: int) -> str:
        """The order's status by core.orders.progress, from the rows."""
        ordered = sum(after.order_lines(order_id).values())
        done = sum(after.fulfilled(order_id).values())
        if done >= ordered:
            methods = {f["method"] for f in after.fulfilments(order_id)}
            return "completed" if methods == {"pickup"} else "fulfilled"
        pickups = [p for p in after.tables["pickups"] if p["order_id"] == order_id]
        if any(p["collected_at"] is None for p in pickups):
            return "ready_for_pickup"
        return "partially_fulfilled" if done else after.orders[order_id]["status"]

    def left_stock(self, after: Rows, order_id: int, units: dict[VariantId, int], at: int) -> None:
        """``units`` left stock at ``at`` for the order: out of on hand, the level's
        reserved and the order's allocation together; nothing else moved."""
        rows = self.rows
        for variant_id, quantity in units.items():
            self.ledger.ship(order_id, variant_id, quantity)
        for key, (on_hand, reserved) in rows.levels.items():
            gone = units.get(VariantId(key[0]), 0) if key[1] == at else 0
            assert after.levels[key] == (on_hand - gone, reserved - gone), key
        held = rows.allocated_at(order_id)
        for variant_id, quantity in units.items():
            held[(variant_id, LocationId(at))] -= quantity
        assert after.allocated_at(order_id) == {k: q for k, q in held.items() if q}
        order = after.orders[order_id]
        assert order["status"] == self.status_after(after, order_id), order
        # The first units to leave capture the payment; refunds (return_rules.py) stay.
        paid = rows.orders[order_id]["payment_status"]
        assert order["payment_status"] == ("CAPTURED" if paid == "AUTHORIZED" else paid), order
        assert after.carts == rows.carts

    # ------------------------------------------------------------ rules

    @rule(
        channel=st.integers(0, 1),
        lines=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=2),
        collect=st.booleans(),
    )
    def buy(self, channel: int, lines: list[tuple[int, int]], collect: bool) -> None:
        """A shopper fills a new cart and checks out at once (the create and checkout
        rules in one step, so that the machine has orders to fulfil)."""
        before = len(self.carts)
        self.create(channel, lines, for_customer=False, keyed=False)
        if len(self.carts) == before:
            return  # refused: not sold there, or not enough stock
        self.rows = self.run(read_rows(self.runtime))
        self.checkout(len(self.carts) - 1, collect)

    @precondition(lambda self: self.holdings())
    @rule(pick=st.integers(0, 999), units=st.integers(0, 3))
    def fulfil(self, pick: int, units: int) -> None:
        """Ship units of a line from a location where the order holds them; asking for
        more than it holds there (``units`` 0: one more) or than is left on the line is
        refused."""
        holdings = self.holdings()
        order_id, variant_id, location_id, held = holdings[pick % len(holdings)]
        rows, location = self.rows, self.location(location_id)
        line = self.line_of(order_id, variant_id)
        left = line["quantity"] - rows.fulfilled_lines(order_id).get(line["id"], 0)
        quantity = held + 1 if units == 0 else min(units, held)
        expected = None
        if location.kind is LocationKind.STORE and not location.ship_from_store_enabled:
            expected = ErrorCode.SHIP_FROM_STORE_DISABLED
        elif quantity > left:
            expected = ErrorCode.QUANTITY_EXCEEDS_UNFULFILLED
        elif quantity > held:
            expected = ErrorCode.QUANTITY_NOT_ALLOCATED
        result, error = self.attempt(
            orders.create_fulfilment(
                self.runtime.uow(),
                order_id=OrderId(order_id),
                location_id=location_id,
                lines=[FulfilmentLineInput(OrderLineId(line["id"]), quantity)],
                tracking=TRACKING,
                actor=ACTOR,
            )
        )
        after = self.settle(expected, error)
        event(f"fulfil: {'shipped' if expected is None else expected.value}")
        if result is None:
            return
        assert len(after.fulfilments(order_id)) == len(rows.fulfilments(order_id)) + 1
        self.left_stock(after, order_id, {variant_id: quantity}, location_id)

    @precondition(lambda self: self.holdings())
    @rule(pick=st.integers(0, 999), units=st.integers(1, 3))
    def reroute(self, pick: int, units: int) -> None:
        """Give up units an order holds at a location (missing on the shelf): they move to
        the channel's other locations, or INSUFFICIENT_STOCK changes nothing."""
        holdings = self.holdings()
        order_id, variant_id, location_id, held = holdings[pick % len(holdings)]
        rows = self.rows
        quantity = min(units, held)
        channel_id = rows.orders[order_id]["channel_id"]
        elsewhere = sum(
            rows.available_at(variant_id, at)
            for at in self.world.supplies(channel_id)
            if at != location_id
        )
        line = self.line_of(order_id, variant_id)
        result, error = self.attempt(
            orders.reroute_allocation(
                self.runtime.uow(),
                order_id=OrderId(order_id),
                from_location_id=location_id,
                lines=[FulfilmentLineInput(OrderLineId(line["id"]), quantity)],
                actor=ACTOR,
            )
        )
        refused = ErrorCode.INSUFFICIENT_STOCK if error is not None else None
        after = self.settle(refused, error)
        event(f"reroute: {'moved' if refused is None else 'refused'}")
        if result is None:
            return
        assert quantity <= elsewhere, (quantity, elsewhere)
        before_held, now_held = rows.allocated_at(order_id), after.allocated_at(order_id)
        key = (variant_id, location_id)
        assert now_held.get(key, 0) == held - quantity
        assert after.allocated(order_id) == rows.allocated(order_id)
        moved = {k: q - before_held.get(k, 0) for k, q in now_held.items() if k != key}
        assert all(q >= 0 for q in moved.values()) and sum(moved.values()) == quantity, moved
        for level, (on_hand, _) in rows.levels.items():
            assert after.levels.get(level, (0, 0))[0] == on_hand, level
        on_hand, reserved = rows.levels[key]
        assert after.levels[key] == (on_hand, reserved - quantity)
        assert after.fulfilled_lines(order_id) == rows.fulfilled_lines(order_id)
        assert after.orders[order_id]["status"] == rows.orders[order_id]["status"]

    @precondition(lambda self: self.pickup_sites())
    @rule(pick=st.integers(0, 99))
    def ready(self, pick: int) -> None:
        """Mark a click-and-collect order ready at its store: a pickup code is issued
        when the order holds units there; no stock moves."""
        sites = self.pickup_sites()
        order_id, location_id = sites[pick % len(sites)]
        rows = self.rows
        expected = None
        if rows.pickup(order_id, location_id) is not None:
            expected = ErrorCode.ORDER_STATUS_INVALID
        elif not self.units_here(order_id, location_id):
            expected = ErrorCode.NOTHING_TO_PICK_UP
        result, error = self.attempt(
            orders.mark_ready_for_pickup(
                self.runtime.uow(),
                order_id=OrderId(order_id),
                location_id=LocationId(location_id),
                actor=ACTOR,
            )
        )
        after = self.settle(expected, error)
        event(f"ready: {'issued' if expected is None else expected.value}")
        if result is None:
            return
        pickup = after.pickup(order_id, location_id)
        assert pickup is not None and pickup["collected_at"] is None
        assert after.orders[order_id]["status"] == "ready_for_pickup"
        assert after.tables["stock_levels"] == rows.tables["stock_levels"]
        assert after.reservations == rows.reservations

    @precondition(lambda self: self.waiting())
    @rule(pick=st.integers(0, 99), wrong=st.booleans())
    def collect(self, pick: int, wrong: bool) -> None:
        """The customer collects at the store with the code (a wrong one changes
        nothing): every unit the order holds there for those lines is handed over."""
        sites = self.waiting()
        order_id, location_id = sites[pick % len(sites)]
        rows = self.rows
        pickup = rows.pickup(order_id, location_id)
        assert pickup is not None
        key = self.run(self.runtime.uow().keys.key(PICKUP_CODE_SEAL))
        code = pickup_codes.unseal(pickup["sealed_code"], pickup["code_digest"], order_id, key)
        assert code is not None
        units = self.units_here(order_id, location_id)
        expected = None
        if wrong:
            code, expected = "NOT-" + code, ErrorCode.PICKUP_CODE_INVALID
        elif not units:
            expected = ErrorCode.NOTHING_TO_PICK_UP
        result, error = self.attempt(
            orders.complete_pickup(
                self.runtime.uow(),
                order_id=OrderId(order_id),
                location_id=LocationId(location_id),
                pickup_code=code,
                actor=ACTOR,
            )
        )
        after = self.settle(expected, error)
        event(f"collect: {'handed over' if expected is None else expected.value}")
        if result is None:
            return
        collected = after.pickup(order_id, location_id)
        assert collected is not None and collected["collected_at"] is not None
        self.left_stock(after, order_id, units, location_id)
