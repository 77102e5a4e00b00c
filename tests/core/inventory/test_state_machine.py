"""Random reserve / release / expire / sweep / adjust / set / sell / transfer sequences
against the real database, checked against a small in-memory model after every step."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from core.clock import FrozenClock
from core.errors import DomainError, ErrorCode
from core.ids import LocationId
from core.inventory import reservations, services
from core.inventory.model import OwnerKind
from core.runtime import Runtime
from tests.factories import FROZEN_AT, Shop, availability, listed_stock, make_shop, stored, truncate

T = TypeVar("T")

OWNERS = ("cart-a", "cart-b", "order-c")


@dataclass(frozen=True)
class Held:
    owner_id: str
    location_id: LocationId
    quantity: int
    expires_at: datetime


class InventoryMachine(RuleBasedStateMachine):
    def __init__(
        self, runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__()
        self.runtime, self.clock, self.loop = runtime, clock, loop
        self.run(truncate(runtime.engine))
        clock.set(FROZEN_AT)
        self.shop: Shop = self.run(make_shop(runtime, warehouse=5, store=3))
        self.locations = (self.shop.warehouse.id, self.shop.store.id)
        self.on_hand: dict[LocationId, int] = dict(zip(self.locations, (5, 3), strict=True))
        self.held: list[Held] = []

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)

    def teardown(self) -> None:
        self.run(truncate(self.runtime.engine))

    # ------------------------------------------------------------ the model

    def active(self, location_id: LocationId) -> int:
        now = self.clock.now()
        return sum(
            h.quantity for h in self.held if h.location_id == location_id and h.expires_at > now
        )

    def available(self, location_id: LocationId) -> int:
        return self.on_hand[location_id] - self.active(location_id)

    def release_expired(self, location_ids: tuple[LocationId, ...]) -> None:
        now = self.clock.now()
        self.held = [
            h for h in self.held if not (h.location_id in location_ids and h.expires_at <= now)
        ]

    def refused(self, error: DomainError) -> None:
        assert [problem.code for problem in error.problems] == [ErrorCode.INSUFFICIENT_STOCK]

    # ------------------------------------------------------------ rules

    @rule(
        owner_id=st.sampled_from(OWNERS),
        quantity=st.integers(1, 6),
        ttl_seconds=st.sampled_from([30, 90, 300]),
    )
    def reserve(self, owner_id: str, quantity: int, ttl_seconds: int) -> None:
        total = sum(self.available(location_id) for location_id in self.locations)
        try:
            taken = self.run(
                reservations.reserve_for_channel(
                    self.runtime.uow(),
                    channel_id=self.shop.channel.id,
                    owner_kind=OwnerKind.CART,
                    owner_id=owner_id,
                    variant_id=self.shop.variant_id,
                    quantity=quantity,
                    ttl_seconds=ttl_seconds,
                )
            )
        except DomainError as error:
            self.refused(error)
            assert quantity > total
            return
        assert quantity <= total
        self.release_expired(self.locations)
        expected: list[tuple[LocationId, int]] = []
        remaining = quantity
        for location_id in self.locations:
            take = min(remaining, self.available(location_id))
            if take:
                expected.append((location_id, take))
                remaining -= take
        assert [(r.location_id, r.quantity) for r in taken] == expected
        expires_at = self.clock.now() + timedelta(seconds=ttl_seconds)
        self.held += [Held(owner_id, loc, take, expires_at) for loc, take in expected]

    @rule(owner_id=st.sampled_from(OWNERS))
    def release(self, owner_id: str) -> None:
        released = self.run(
            reservations.release_reservations(
                self.runtime.uow(), owner_kind=OwnerKind.CART, owner_id=owner_id
            )
        )
        mine = [h for h in self.held if h.owner_id == owner_id]
        # An owner's expired reservations are released as expired, not returned.
        now = self.clock.now()
        active = [h for h in mine if h.expires_at > now]
        assert sorted(r.quantity for r in released) == sorted(h.quantity for h in active)
        self.release_expired(tuple({h.location_id for h in mine}))
        self.held = [h for h in self.held if h.owner_id != owner_id]

    @rule(seconds=st.sampled_from([10, 30, 60, 200]))
    def time_passes(self, seconds: int) -> None:
        self.clock.set(self.clock.now() + timedelta(seconds=seconds))

    @rule()
    def sweep(self) -> None:
        swept = self.run(reservations.expire_reservations(self.runtime.uow(), now=self.clock.now()))
        now = self.clock.now()
        assert len(swept) == sum(1 for h in self.held if h.expires_at <= now)
        self.release_expired(self.locations)

    @rule(location=st.integers(0, 1), delta=st.integers(-5, 5).filter(bool))
    def adjust(self, location: int, delta: int) -> None:
        location_id = self.locations[location]
        try:
            self.run(
                services.adjust_stock(
                    self.runtime.uow(),
                    variant_id=self.shop.variant_id,
                    location_id=location_id,
                    delta=delta,
                    reason="state machine",
                    actor="hypothesis",
                )
            )
        except DomainError as error:
            self.refused(error)
            assert self.on_hand[location_id] + delta < self.active(location_id)
            return
        assert self.on_hand[location_id] + delta >= self.active(location_id)
        self.release_expired((location_id,))
        self.on_hand[location_id] += delta

    @rule(location=st.integers(0, 1), quantity=st.integers(0, 10))
    def count(self, location: int, quantity: int) -> None:
        location_id = self.locations[location]
        try:
            self.run(
                services.set_stock(
                    self.runtime.uow(),
                    variant_id=self.shop.variant_id,
                    location_id=location_id,
                    quantity=quantity,
                    reason="state machine",
                    actor="hypothesis",
                )
            )
        except DomainError as error:
            self.refused(error)
            assert quantity < self.active(location_id)
            return
        assert quantity >= self.active(location_id)
        self.release_expired((location_id,))
        self.on_hand[location_id] = quantity

    @rule(location=st.integers(0, 1), quantity=st.integers(1, 4))
    def sell(self, location: int, quantity: int) -> None:
        location_id = self.locations[location]
        try:
            self.run(
                services.record_sale(
                    self.runtime.uow(),
                    variant_id=self.shop.variant_id,
                    location_id=location_id,
                    quantity=quantity,
                    actor="hypothesis",
                )
            )
        except DomainError as error:
            self.refused(error)
            assert quantity > self.available(location_id)
            return
        assert quantity <= self.available(location_id)
        self.release_expired((location_id,))
        self.on_hand[location_id] -= quantity

    @rule(source=st.integers(0, 1), quantity=st.integers(1, 4))
    def transfer(self, source: int, quantity: int) -> None:
        from_id, to_id = self.locations[source], self.locations[1 - source]
        try:
            self.run(
                services.transfer_stock(
                    self.runtime.uow(),
                    variant_id=self.shop.variant_id,
                    from_location_id=from_id,
                    to_location_id=to_id,
                    quantity=quantity,
                    reason="state machine",
                    actor="hypothesis",
                )
            )
        except DomainError as error:
            self.refused(error)
            assert quantity > self.available(from_id)
            return
        assert quantity <= self.available(from_id)
        self.release_expired(self.locations)
        self.on_hand[from_id] -= quantity
        self.on_hand[to_id] += quantity

    # ------------------------------------------------------------ invariants

    @invariant()
    def the_database_agrees_with_the_model(self) -> None:
        rows = self.run(stored(self.runtime))
        for location_id in self.locations:
            on_hand, reserved = rows.levels.get((self.shop.variant_id, location_id), (0, 0))
            assert on_hand == self.on_hand[location_id] >= 0
            stored_rows = sum(r.quantity for r in rows.reservations if r.location_id == location_id)
            assert reserved == stored_rows <= on_hand
        assert Counter(
            (r.owner_id, r.location_id, r.quantity, r.expires_at) for r in rows.reservations
        ) == Counter((h.owner_id, h.location_id, h.quantity, h.expires_at) for h in self.held)

    @invariant()
    def availability_is_on_hand_less_active_reservations(self) -> None:
        result = self.run(availability(self.runtime, self.shop))
        assert [(a.location_id, a.available) for a in result.locations] == [
            (location_id, self.available(location_id)) for location_id in self.locations
        ]
        assert all(a.available >= 0 for a in result.locations)
        assert result.quantity == sum(self.available(loc) for loc in self.locations)
        # A listing reads the same sum with its variants, in the same statement.
        assert self.run(listed_stock(self.runtime, self.shop)) == result.quantity


@pytest.fixture
async def loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_stock_stays_consistent_under_random_operations(
    runtime: Runtime, clock: FrozenClock, loop: asyncio.AbstractEventLoop
) -> None:
    class Machine(InventoryMachine):
        def __init__(self) -> None:
            super().__init__(runtime, clock, loop)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
