"""Rules of the state machine that turn carts into orders and cancel them, through the
services checkoutComplete and orderCancel call (core.orders)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from core.carts import services
from core.carts.model import PricedCart
from core.carts.pricing import line_totals
from core.carts.services import Caller, DeliveryChoice, Guard
from core.delivery import services as delivery
from core.delivery.model import HANDED_OVER, DeliveryOption
from core.errors import ErrorCode
from core.ids import LocationId, OrderId, VariantId
from core.orders import services as orders
from core.orders.services import PaymentInput
from tests.core.carts.cart_rules import ADDRESSES, CartRules
from tests.core.carts.machine import Tracked
from tests.factories import read_rows

# Order statuses staff may still cancel from (core.orders.model.TRANSITIONS).
OPEN = ("placed", "partially_fulfilled", "ready_for_pickup")


def _key(key: tuple[int, int]) -> tuple[VariantId, LocationId]:
    return VariantId(key[0]), LocationId(key[1])


def _option(options: Sequence[DeliveryOption], collect: bool) -> DeliveryOption:
    """The first option, or to ``collect``, the first handed over at a store."""
    handed = [option for option in options if option.method in HANDED_OVER]
    return handed[0] if collect and handed else options[0]


class OrderRules(CartRules):
    @precondition(lambda self: self.carts)
    @rule(pick=st.integers(0, 99), collect=st.booleans())
    def checkout(self, pick: int, collect: bool) -> None:
        """Email, a shipping address and the first option of every delivery group (or,
        to ``collect``, its first click-and-collect option where it has one), then
        checkout. A cart that held all its lines must become an order; a refusal (stock
        gone while its holds had lapsed) writes nothing."""
        cart = self.carts[pick % len(self.carts)]
        refusal = self.cart_refusal(cart)
        if refusal is None:
            self._prepare(cart, collect)
        lines = {} if self.row(cart) is None else self.rows.lines(cart.id)
        promised = refusal is None and cart.exact and self.holds_live(cart) and bool(lines)
        key = self.key(True)
        assert key is not None
        result, error = self.attempt(
            orders.complete_checkout(
                self.runtime.uow(),
                token=cart.token,
                caller=Caller(),
                idempotency_key=key,
                payment=PaymentInput("test-gateway"),
            )
        )
        after = self.run(read_rows(self.runtime))
        event("checkout placed" if result is not None else "checkout refused")
        if result is None:
            assert error is not None
            codes = {problem.code for problem in error.problems}
            if refusal is not None:
                assert codes == {refusal}, error.problems
            else:
                assert not promised, (cart, error.problems)
                assert codes <= {ErrorCode.INSUFFICIENT_STOCK, ErrorCode.REQUIRED}, codes
            assert after.unchanged_since(self.rows)
            return
        self.versions(after, (cart.id,))
        order = after.orders[result.order.id]
        assert after.carts[cart.id]["status"] == "completed"
        assert after.held(cart.id) == {}
        assert after.order_lines(order["id"]) == lines == after.allocated(order["id"])
        assert order["status"] == "placed" and order["payment_status"] == "AUTHORIZED"
        cart.exact = True  # nothing to hold any more: the order holds it

    def _prepare(self, cart: Tracked, collect: bool) -> None:
        """The steps a storefront takes before checkout, each a change of the cart."""
        uow = self.runtime.uow
        steps = [
            services.update_email(uow(), token=cart.token, email="ann@example.com"),
            services.set_shipping_address(uow(), token=cart.token, address=ADDRESSES["home"]),
        ]
        for step in steps:
            _, error = self.attempt(step)
            assert error is None, error.problems
        # One group at a time, reading the groups again after each choice, as a storefront
        # does: a choice may regroup the others (a line picked up at the store leaves the
        # shipped group), and a choice naming a group gone is UNKNOWN_DELIVERY_GROUP.
        for _ in range(4):
            priced = self.run(services.read_cart(uow(), cart.token, Caller()))
            assert priced is not None
            if not priced.cart.lines:
                break
            chosen = dict(priced.cart.delivery_selection)
            pending = [
                choice
                for choice in self.run(self._choices(priced, collect))
                if chosen.get(choice.group_id) != choice.handle
            ]
            if not pending:
                break
            _, error = self.attempt(
                services.select_delivery_options(
                    uow(), token=cart.token, choices=pending[:1], guard=Guard()
                )
            )
            if error is not None:
                assert {p.code for p in error.problems} <= {ErrorCode.INSUFFICIENT_STOCK}, (
                    error.problems
                )
                break
        after = self.run(read_rows(self.runtime))
        self.changed(cart, after, exact=cart.exact and self.holds_live(cart))
        self.rows = after

    async def _choices(self, priced: PricedCart, collect: bool) -> list[DeliveryChoice]:
        """The first option of every delivery group of the cart, as it stands (or, to
        ``collect``, its first click-and-collect option where it has one)."""
        async with self.runtime.reads.connect() as connection:
            found = await delivery.delivery_groups(
                connection,
                self.runtime.plugins,
                priced.channel,
                priced.cart,
                now=self.clock.now(),
                line_totals=line_totals(priced),
            )
        return [
            DeliveryChoice(g.id, _option(g.options, collect).handle) for g in found if g.options
        ]

    @precondition(lambda self: any(o["status"] in OPEN for o in self.rows.orders.values()))
    @rule(pick=st.integers(0, 99))
    def cancel(self, pick: int) -> None:
        """Cancel an open order, placed or fulfilled in part: exactly the units it still
        holds go back to stock where they were allocated; what left stays left."""
        rows = self.rows
        # Those fulfilled in part first: what cancelling them releases is the question.
        open_orders = sorted(
            (o for o in rows.orders.values() if o["status"] in OPEN),
            key=lambda o: (not rows.fulfilments(o["id"]), o["id"]),
        )
        order = open_orders[pick % len(open_orders)]
        held = rows.allocated_at(order["id"])
        # Captured, perhaps refunded in part or in full already (return_rules.py).
        captured = order["payment_status"] in ("CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED")
        self.run(
            orders.cancel_as_staff(
                self.runtime.uow(), OrderId(order["id"]), staff_name="machine", reason="test"
            )
        )
        after = self.run(read_rows(self.runtime))
        event("order cancelled" + (" after fulfilment" if rows.fulfilments(order["id"]) else ""))
        assert after.orders[order["id"]]["status"] == "cancelled"
        if not rows.fulfilments(order["id"]):
            settled = "REFUNDED" if captured else "VOIDED"
        else:
            # What shipped stays paid: only the unshipped units' value goes back (or, when
            # only authorised, what shipped is captured and the rest never taken).
            settled = "PARTIALLY_REFUNDED" if captured else "CAPTURED"
        assert after.orders[order["id"]]["payment_status"] == settled
        assert after.allocated(order["id"]) == {}
        assert after.fulfilled_lines(order["id"]) == rows.fulfilled_lines(order["id"])
        for key, (on_hand, reserved) in rows.levels.items():
            # On hand stays; reserved falls by exactly what the order held there.
            assert after.levels[key] == (on_hand, reserved - held.get(_key(key), 0)), key
        assert after.carts == rows.carts
