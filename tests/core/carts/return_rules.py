"""Rules of the state machine that bring orders' units back and pay money back, through
the services returnCreate, returnReceive and refundCreate call (core.orders, issue 14).

A return names fulfilled units not returned yet; receiving puts units of a return
line on hand where they arrive (RESTOCK, the ledger's ``restocked`` term) or writes
them off; a refund pays back up to what was captured less what was refunded. Asking
for more is refused with the service's code and writes nothing; a refund sent again
with its key answers the first one and writes nothing either. After every step the
rows must show: no line returned beyond what was fulfilled of it, no return line
received beyond what was returned, no payment refunded beyond what was captured, and
a payment status that says how much was refunded (``orders_reconcile``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from core.clock import FrozenClock
from core.errors import ErrorCode
from core.ids import LocationId, OrderId, OrderLineId, ReturnId, ReturnLineId, VariantId
from core.money import Money
from core.orders import services as orders
from core.orders.return_model import Disposition
from core.orders.services import ReceiveLineInput, Requester, ReturnLineInput
from core.runtime import Runtime
from tests.core.carts.fulfil_rules import ACTOR, FulfilRules
from tests.factories import Rows

STAFF = Requester(staff_name="machine")
# Payment statuses after money was taken (core.payments.model.PaymentStatus).
PAID = ("CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED")


def returned_lines(rows: Rows, order_id: int) -> dict[int, int]:
    """Units of the order's lines named by its returns, per order line."""
    returns = {row["id"] for row in rows.tables["returns"] if row["order_id"] == order_id}
    named: dict[int, int] = defaultdict(int)
    for row in rows.tables["return_lines"]:
        if row["return_id"] in returns:
            named[row["order_line_id"]] += row["quantity"]
    return dict(named)


def return_line(rows: Rows, line_id: int) -> dict[str, Any]:
    [row] = [row for row in rows.tables["return_lines"] if row["id"] == line_id]
    return row


def payment(rows: Rows, order_id: int) -> dict[str, Any]:
    [row] = [row for row in rows.tables["payments"] if row["order_id"] == order_id]
    return row


def restocked(rows: Rows, variant_id: VariantId) -> int:
    """Units of the variant received with RESTOCK, by every return line."""
    variants = {row["id"]: row["variant_id"] for row in rows.tables["order_lines"]}
    return sum(
        row["restocked"]
        for row in rows.tables["return_lines"]
        if variants[row["order_line_id"]] == variant_id
    )


class ReturnRules(FulfilRules):
    def __init__(
        self, runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__(runtime, clock, loop)
        # (order id, idempotency key, amount in minor units) of refunds made, to send again.
        self.refunds: list[tuple[int, str, int]] = []

    # ------------------------------------------------------------ what the rows offer

    def shipped_lines(self) -> list[tuple[int, int, int]]:
        """(order id, order line, units left to return) of lines with fulfilled units."""
        rows = self.rows
        found = []
        for order_id in sorted(rows.orders):
            returned = returned_lines(rows, order_id)
            for line_id, done in sorted(rows.fulfilled_lines(order_id).items()):
                found.append((order_id, line_id, done - returned.get(line_id, 0)))
        return found

    def paid_orders(self) -> list[int]:
        return sorted(
            order_id
            for order_id, order in self.rows.orders.items()
            if order["payment_status"] in PAID
        )

    # ------------------------------------------------------------ rules

    @precondition(lambda self: self.shipped_lines())
    @rule(
        pick=st.integers(0, 999),
        units=st.integers(0, 3),
        channel=st.sampled_from([None, "web", "mobile"]),
    )
    def return_units(self, pick: int, units: int, channel: str | None) -> None:
        """Staff return units of a fulfilled line, in any channel; one more than was
        fulfilled and not returned yet (``units`` 0, or nothing left) is refused."""
        lines = self.shipped_lines()
        order_id, line_id, left = lines[pick % len(lines)]
        rows = self.rows
        quantity = left + 1 if units == 0 or left == 0 else min(units, left)
        expected = ErrorCode.RETURN_QUANTITY_EXCEEDED if quantity > left else None
        result, error = self.attempt(
            orders.create_return(
                self.runtime.uow(),
                order_id=OrderId(order_id),
                lines=[ReturnLineInput(OrderLineId(line_id), quantity, "machine")],
                channel_slug=channel,
                requester=STAFF,
            )
        )
        after = self.settle(expected, error)
        event(f"return: {'made' if expected is None else expected.value}")
        if result is None:
            return
        [made] = result.lines
        assert (made.order_line_id, made.quantity, made.received) == (line_id, quantity, 0)
        assert returned_lines(after, order_id).get(line_id, 0) == (
            returned_lines(rows, order_id).get(line_id, 0) + quantity
        )
        assert after.orders[order_id]["status"] == rows.orders[order_id]["status"]
        assert after.orders[order_id]["version"] == rows.orders[order_id]["version"] + 1
        # Nothing comes back on hand until it is received.
        assert after.tables["stock_levels"] == rows.tables["stock_levels"]
        assert after.reservations == rows.reservations

    @precondition(lambda self: self.rows.tables["return_lines"])
    @rule(
        pick=st.integers(0, 999),
        units=st.integers(0, 3),
        location=st.integers(0, 2),
        disposition=st.sampled_from(Disposition),
    )
    def receive(self, pick: int, units: int, location: int, disposition: Disposition) -> None:
        """Receive units of a return line at any location, restocked there or written
        off; more than is left to receive (``units`` 0, or nothing left) is refused."""
        rows = self.rows
        lines = rows.tables["return_lines"]
        line = lines[pick % len(lines)]
        left = line["quantity"] - line["received"]
        quantity = left + 1 if units == 0 or left == 0 else min(units, left)
        expected = ErrorCode.RECEIVE_QUANTITY_EXCEEDED if quantity > left else None
        location_id = self.world.locations[location].id
        result, error = self.attempt(
            orders.receive_return(
                self.runtime.uow(),
                return_id=ReturnId(line["return_id"]),
                location_id=LocationId(location_id),
                lines=[ReceiveLineInput(ReturnLineId(line["id"]), quantity, disposition)],
                actor=ACTOR,
            )
        )
        after = self.settle(expected, error)
        event(f"receive: {disposition.value if expected is None else expected.value}")
        if result is None:
            return
        back = quantity if disposition is Disposition.RESTOCK else 0
        now = return_line(after, line["id"])
        assert (now["received"], now["restocked"], now["written_off"]) == (
            line["received"] + quantity,
            line["restocked"] + back,
            line["written_off"] + quantity - back,
        )
        [order_line] = [r for r in rows.tables["order_lines"] if r["id"] == line["order_line_id"]]
        variant_id = VariantId(order_line["variant_id"])
        self.ledger.restock(variant_id, back)
        key = (variant_id, location_id)
        for level in {*rows.levels, key}:
            on_hand, reserved = rows.levels.get(level, (0, 0))
            gained = back if level == key else 0
            assert after.levels[level] == (on_hand + gained, reserved), level
        [movement] = after.tables["stock_movements"][len(rows.tables["stock_movements"]) :]
        assert (movement["kind"], movement["delta"]) == (
            ("return", back) if back else ("write_off", 0)
        ), movement
        assert movement["reason"].startswith(f"Return {line['return_id']} "), movement
        returned = [r for r in after.tables["returns"] if r["id"] == line["return_id"]]
        assert returned[0]["location_id"] == location_id
        assert result.status.value == returned[0]["status"]
        assert after.reservations == rows.reservations

    @precondition(lambda self: self.paid_orders())
    @rule(
        pick=st.integers(0, 999),
        share=st.integers(1, 100),
        kind=st.sampled_from(["within", "over", "again"]),
    )
    def refund(self, pick: int, share: int, kind: str) -> None:
        """Pay back part of what a paid order's payment captured and did not refund
        yet; more (or anything, once all is refunded) is refused. The same key again
        answers the first refund, writing nothing."""
        rows = self.rows
        if kind == "again" and self.refunds:
            order_id, key, minor = self.refunds[pick % len(self.refunds)]
        else:
            order_ids = self.paid_orders()
            order_id = order_ids[pick % len(order_ids)]
            paid = payment(rows, order_id)
            left = paid["captured_minor"] - paid["refunded_minor"]
            minor = left + 1 if kind == "over" or left == 0 else max(1, left * share // 100)
            key = f"machine-refund-{next(self.keys):06d}"
            kind = "over" if minor > left else "within"
        result, error = self.attempt(
            orders.create_refund(
                self.runtime.uow(),
                order_id=OrderId(order_id),
                amount=Money(minor, "USD"),
                lines=None,
                reason="machine",
                idempotency_key=key,
                actor=ACTOR,
            )
        )
        expected = ErrorCode.REFUND_EXCEEDS_CAPTURED if kind == "over" else None
        after = self.settle(expected, error)
        event(f"refund: {'replayed' if kind == 'again' else (expected or 'refunded')}")
        if result is None:
            return
        assert result.refund.amount == Money(minor, "USD")
        if kind == "again":
            assert result.replayed and after.unchanged_since(rows)
            return
        assert not result.replayed
        self.refunds.append((order_id, key, minor))
        before, now = payment(rows, order_id), payment(after, order_id)
        assert now["refunded_minor"] == before["refunded_minor"] + minor
        assert now["captured_minor"] == before["captured_minor"]
        assert len(after.tables["refunds"]) == len(rows.tables["refunds"]) + 1
        assert after.tables["stock_levels"] == rows.tables["stock_levels"]

    # ------------------------------------------------------------ invariants

    def orders_reconcile(self, rows: Rows) -> None:
        """Besides the fulfilments (FulfilRules): per line, no more returned than
        fulfilled; per return line, no more received than returned, each unit either
        restocked or written off; per payment, no more refunded than captured, the
        refunds' rows adding up to it (a cancel refunds the rest without one), and a
        status that says so; on hand got back what the ledger restocked."""
        super().orders_reconcile(rows)
        for order_id, order in rows.orders.items():
            done, returned = rows.fulfilled_lines(order_id), returned_lines(rows, order_id)
            assert all(q <= done.get(line_id, 0) for line_id, q in returned.items()), order_id
            paid = payment(rows, order_id)
            captured, refunded = paid["captured_minor"], paid["refunded_minor"]
            assert 0 <= refunded <= captured, paid
            assert order["payment_status"] == paid["status"], (order, paid)
            if refunded:
                status = "REFUNDED" if refunded == captured else "PARTIALLY_REFUNDED"
                assert paid["status"] == status, paid
            rows_refunded = sum(
                r["amount_minor"] for r in rows.tables["refunds"] if r["order_id"] == order_id
            )
            if order["status"] == "cancelled":
                assert rows_refunded <= refunded, (paid, rows_refunded)
            else:
                assert rows_refunded == refunded, (paid, rows_refunded)
        for line in rows.tables["return_lines"]:
            assert 0 <= line["received"] <= line["quantity"], line
            assert line["received"] == line["restocked"] + line["written_off"], line
        for variant_id in self.world.variants:
            assert restocked(rows, variant_id) == self.ledger.restocked.get(variant_id, 0)
