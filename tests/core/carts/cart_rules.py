"""Rules of the cart state machine that change one cart: create, add, update, remove,
clear, resume in the other channel and set an address, through ``core.carts.services``
as the GraphQL resolvers call them (schema/carts/mutations.py, address_mutations.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from core.carts import services
from core.carts.services import (
    CartResult,
    Guard,
    LineInput,
    LineQuantity,
    MailingAddressInput,
    ResumeReport,
)
from core.errors import ErrorCode
from core.ids import CartLineId, VariantId
from tests.core.carts.machine import MachineBase, Tracked

# Addresses a shopper sends (None clears), and how each is stored (a JSON object).
ADDRESSES: dict[str, MailingAddressInput | None] = {
    "home": MailingAddressInput(
        first_name="Ann",
        last_name="Lee",
        line1=" 1 Main St ",
        postal_code="94105",
        city="San Francisco",
        country_code="us",
    ),
    "office": MailingAddressInput(
        first_name="Ann",
        last_name="Lee",
        company="Lee Inc.",
        line1="2 Market St",
        postal_code="94105",
        city="San Francisco",
        country_code="US",
        phone="+1 415 555 0199",
    ),
    "none": None,
    "invalid": MailingAddressInput(
        first_name="Ann",
        last_name="Lee",
        line1="1 Main St",
        postal_code="94105",
        city="San Francisco",
        country_code="XX",
    ),
}
STORED: dict[str, dict[str, str | None] | None] = {
    "home": {
        "first_name": "Ann",
        "last_name": "Lee",
        "company": None,
        "line1": "1 Main St",
        "line2": None,
        "postal_code": "94105",
        "city": "San Francisco",
        "country_code": "US",
        "phone": None,
    },
    "office": {
        "first_name": "Ann",
        "last_name": "Lee",
        "company": "Lee Inc.",
        "line1": "2 Market St",
        "line2": None,
        "postal_code": "94105",
        "city": "San Francisco",
        "country_code": "US",
        "phone": "+1 415 555 0199",
    },
    "none": None,
}


class CartRules(MachineBase):
    @rule(
        channel=st.integers(0, 1),
        lines=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4)), max_size=2),
        for_customer=st.booleans(),
        keyed=st.booleans(),
    )
    def create(
        self, channel: int, lines: list[tuple[int, int]], for_customer: bool, keyed: bool
    ) -> None:
        world, rows = self.world, self.rows
        channel_id = world.channels[channel].id
        wanted: dict[VariantId, int] = defaultdict(int)
        for index, quantity in lines:
            wanted[world.variants[index]] += quantity
        expected = None
        if not all(world.sold_in(channel_id, variant_id) for variant_id in wanted):
            expected = ErrorCode.NOT_SOLD_IN_CHANNEL
        elif any(q > rows.sellable(world, channel_id, v) for v, q in wanted.items()):
            expected = ErrorCode.INSUFFICIENT_STOCK
        key = self.key(keyed)

        def send(email: str = "") -> Awaitable[CartResult]:
            return services.create_cart(
                self.runtime.uow(),
                channel_id=channel_id,
                lines=[LineInput(world.variants[index], quantity) for index, quantity in lines],
                email=email,
                caller=services.Caller(world.customer.id if for_customer else None),
                idempotency_key=key,
            )

        result, error = self.attempt(send())
        after = self.settle(expected, error)
        self.versions(after)
        if result is None:
            return
        assert result.token is not None and not result.replayed
        cart = Tracked(result.token, result.cart.cart.id)
        assert cart.id not in rows.carts and after.carts[cart.id]["version"] == 1
        assert after.lines(cart.id) == wanted
        self.carts.append(cart)
        self.changed(cart, after, exact=True)
        if key is not None:
            self.remember(cart, send, lambda: send("other@example.com"), result.token)

    @precondition(lambda self: self.carts)
    @rule(
        pick=st.integers(0, 99),
        variant=st.integers(0, 2),
        quantity=st.integers(1, 4),
        keyed=st.booleans(),
        version=st.sampled_from(["none", "current", "stale"]),
    )
    def add(self, pick: int, variant: int, quantity: int, keyed: bool, version: str) -> None:
        cart = self.carts[pick % len(self.carts)]
        row, variant_id = self.row(cart), self.world.variants[variant]
        expected_version = None
        if row is not None and version != "none":
            expected_version = row["version"] - (version == "stale")
        expected = self.cart_refusal(cart, expected_version)
        line = self.rows.lines(cart.id).get(variant_id, 0)
        if expected is None:
            expected = self.stock_refusal(cart, variant_id, line + quantity)
        key = self.key(keyed)

        def send(more: int = quantity) -> Awaitable[CartResult]:
            return services.add_lines(
                self.runtime.uow(),
                token=cart.token,
                lines=[LineInput(variant_id, more)],
                guard=Guard(expected_version, key),
            )

        result, error = self.attempt(send())
        after = self.settle(expected, error)
        self.versions(after, () if result is None else (cart.id,))
        if result is None:
            return
        assert not result.replayed
        assert after.lines(cart.id) == {**self.rows.lines(cart.id), variant_id: line + quantity}
        self.changed(cart, after, exact=cart.exact and self.holds_live(cart))
        if key is not None:
            self.remember(cart, send, lambda: send(quantity + 1))

    @precondition(lambda self: self.rows.all_lines())
    @rule(pick=st.integers(0, 999), quantity=st.integers(0, 4), keyed=st.booleans())
    def update(self, pick: int, quantity: int, keyed: bool) -> None:
        lines = self.rows.all_lines()
        line = lines[pick % len(lines)]
        cart, variant_id = self.tracked(line["cart_id"]), VariantId(line["variant_id"])
        expected = self.cart_refusal(cart)
        if expected is None and quantity > line["quantity"]:
            expected = self.stock_refusal(cart, variant_id, quantity)
        key = self.key(keyed)

        def send(to: int = quantity) -> Awaitable[CartResult]:
            return services.update_lines(
                self.runtime.uow(),
                token=cart.token,
                lines=[LineQuantity(CartLineId(line["id"]), to)],
                guard=Guard(idempotency_key=key),
            )

        result, error = self.attempt(send())
        after = self.settle(expected, error)
        self.versions(after, () if result is None else (cart.id,))
        if result is None:
            return
        expected_lines = {**self.rows.lines(cart.id), variant_id: quantity}
        assert after.lines(cart.id) == {v: q for v, q in expected_lines.items() if q}
        exact = (cart.exact and self.holds_live(cart)) or not after.lines(cart.id)
        self.changed(cart, after, exact=exact)
        if key is not None:
            self.remember(cart, send, lambda: send(quantity + 1))

    @precondition(lambda self: self.rows.all_lines())
    @rule(pick=st.integers(0, 999), keyed=st.booleans())
    def remove(self, pick: int, keyed: bool) -> None:
        lines = self.rows.all_lines()
        line = lines[pick % len(lines)]
        cart = self.tracked(line["cart_id"])
        key = self.key(keyed)

        def send() -> Awaitable[CartResult]:
            return services.remove_lines(
                self.runtime.uow(),
                token=cart.token,
                line_ids=[CartLineId(line["id"])],
                guard=Guard(idempotency_key=key),
            )

        result, error = self.attempt(send())
        after = self.settle(self.cart_refusal(cart), error)
        self.versions(after, () if result is None else (cart.id,))
        if result is None:
            return
        remaining = self.rows.lines(cart.id)
        del remaining[VariantId(line["variant_id"])]
        assert after.lines(cart.id) == remaining
        self.changed(cart, after, exact=(cart.exact and self.holds_live(cart)) or not remaining)
        if key is not None:
            self.remember(cart, send)

    @precondition(lambda self: self.carts)
    @rule(pick=st.integers(0, 99), keyed=st.booleans())
    def clear(self, pick: int, keyed: bool) -> None:
        cart = self.carts[pick % len(self.carts)]
        key = self.key(keyed)

        def send() -> Awaitable[CartResult]:
            return services.clear_cart(
                self.runtime.uow(), token=cart.token, guard=Guard(idempotency_key=key)
            )

        result, error = self.attempt(send())
        after = self.settle(self.cart_refusal(cart), error)
        self.versions(after, () if result is None else (cart.id,))
        if result is None:
            return
        assert after.lines(cart.id) == {}
        self.changed(cart, after, exact=True)
        if key is not None:
            self.remember(cart, send)

    @precondition(lambda self: self.carts)
    @rule(pick=st.integers(0, 99), channel=st.integers(0, 1), keyed=st.booleans())
    def resume(self, pick: int, channel: int, keyed: bool) -> None:
        cart, world = self.carts[pick % len(self.carts)], self.world
        target = world.channels[channel].id
        key = self.key(keyed)
        reports: list[ResumeReport] = []

        async def send() -> CartResult:
            resumed = await services.resume_cart(
                self.runtime.uow(),
                token=cart.token,
                channel_id=target,
                guard=Guard(idempotency_key=key),
            )
            reports.extend(resumed.unavailable)
            return resumed.cart

        result, error = self.attempt(send())
        after = self.settle(self.cart_refusal(cart), error)
        if result is None:
            return
        assert not result.replayed
        lines = self.rows.lines(cart.id)
        if self.rows.carts[cart.id]["channel_id"] == target:
            # Resuming in the cart's own channel changes nothing.
            assert after.unchanged_since(self.rows) and not reports
            return
        self.versions(after, (cart.id,))
        assert after.carts[cart.id]["channel_id"] == target
        assert after.lines(cart.id) == lines
        held, short = after.held(cart.id), {report.variant_id: report for report in reports}
        assert len(short) == len(reports) and set(short) <= set(lines)
        for variant_id, quantity in lines.items():
            report = short.get(variant_id)
            if not world.sold_in(target, variant_id):
                assert report is not None and report.code is ErrorCode.NOT_SOLD_IN_CHANNEL
                assert (report.wanted, report.available) == (quantity, 0)
                assert held.get(variant_id, 0) == 0
            elif report is not None:
                # Held in part only when the new channel has nothing more to give.
                assert report.code is ErrorCode.INSUFFICIENT_STOCK
                assert report.wanted == quantity > report.available == held.get(variant_id, 0)
                assert after.sellable(world, target, variant_id) == 0
            else:
                assert held.get(variant_id, 0) == quantity
        self.changed(cart, after, exact=not reports)
        if key is not None:
            self.remember(cart, send)

    @precondition(lambda self: self.carts)
    @rule(
        pick=st.integers(0, 99),
        billing=st.booleans(),
        address=st.sampled_from(sorted(ADDRESSES)),
        keyed=st.booleans(),
    )
    def set_address(self, pick: int, billing: bool, address: str, keyed: bool) -> None:
        cart = self.carts[pick % len(self.carts)]
        column, other = ("billing_address", "shipping_address")
        if not billing:
            column, other = other, column
        # An invalid address is refused before the cart is looked at.
        expected = (
            ErrorCode.INVALID_COUNTRY_CODE if address == "invalid" else self.cart_refusal(cart)
        )
        key = self.key(keyed)
        change = services.set_billing_address if billing else services.set_shipping_address

        def send(to: str = address) -> Awaitable[CartResult]:
            return change(
                self.runtime.uow(),
                token=cart.token,
                address=ADDRESSES[to],
                guard=Guard(idempotency_key=key),
            )

        result, error = self.attempt(send())
        after = self.settle(expected, error)
        self.versions(after, () if result is None else (cart.id,))
        if result is None:
            return
        before, now = self.rows.carts[cart.id], after.carts[cart.id]
        assert now[column] == STORED[address] and now[other] == before[other]
        assert after.lines(cart.id) == self.rows.lines(cart.id)
        assert after.held(cart.id) == self.rows.held(cart.id)
        self.changed(cart, after, exact=cart.exact and self.holds_live(cart))
        if key is not None:
            self.remember(cart, send, lambda: send("office" if address == "home" else "home"))
