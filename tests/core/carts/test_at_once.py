"""The cart add made in one guarded statement (core.carts.at_once; PostgreSQL only).

It must leave exactly what the locked path leaves, and when anything changes between
its read and its write (another device's add, the stock running out, the same key
sent twice), write nothing and let the locked path decide.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.carts import services
from core.carts.services import Caller, Guard, LineInput, Operation
from core.carts.tables import CartLineRow, CartRequestRow, CartRow
from core.channels.model import EnabledPlugin
from core.clock import FrozenClock
from core.config import Settings
from core.db import table_of
from core.db.reads import Reads
from core.errors import DomainError, ErrorCode
from core.events.model import PublishedEvent
from core.hooks import PriceAdjustment, PriceLine, hookimpl
from core.inventory import services as inventory
from core.inventory.tables import ReservationRow
from core.plugin_host import PluginHost
from core.runtime import Runtime
from tests.factories import (
    StatementCounter,
    availability,
    make_shop,
    make_store,
    row_counts,
    stored,
    stored_events,
)

_carts = table_of(CartRow)
_lines = table_of(CartLineRow)
_requests = table_of(CartRequestRow)
_reservations = table_of(ReservationRow)


@pytest.fixture(autouse=True)
def postgresql_only(runtime: Runtime) -> None:
    if runtime.autocommit is None:
        pytest.skip("the one-statement add is PostgreSQL's; SQLite takes the locked path")


def locked(runtime: Runtime) -> Runtime:
    """The same runtime without the one-statement path: every change is locked."""
    return dataclasses.replace(runtime, autocommit=None)


async def cart_state(runtime: Runtime, token: str) -> dict[str, Any]:
    """What a cart left in the database, without ids that differ between carts."""
    cart = await services.read_cart(runtime.uow(), token, Caller())
    assert cart is not None
    cart_id = cart.cart.id
    async with runtime.engine.connect() as connection:
        row = (await connection.execute(select(_carts).where(_carts.c.id == cart_id))).one()
        lines = (
            await connection.execute(
                select(_lines).where(_lines.c.cart_id == cart_id).order_by(_lines.c.id)
            )
        ).all()
        requests = (
            await connection.execute(
                select(_requests).where(_requests.c.cart_id == cart_id).order_by(_requests.c.id)
            )
        ).all()
        held = (
            await connection.execute(
                select(_reservations)
                .where(_reservations.c.owner_id == str(cart_id))
                .order_by(_reservations.c.id)
            )
        ).all()
    return {
        "cart": (row.version, row.status, row.updated_at, row.expires_at, row.holds_until),
        "lines": [
            (r.variant_id, r.quantity, r.unit_price_minor, r.currency, r.created_at, r.updated_at)
            for r in lines
        ],
        "keys": [(r.operation, r.fingerprint, r.cart_version) for r in requests],
        "held": [(r.variant_id, r.location_id, r.quantity, r.expires_at) for r in held],
        "answer": (
            cart.cart.version,
            [(line.variant_id, line.quantity) for line in cart.cart.lines],
            cart.cost.total_amount,
        ),
    }


async def test_an_add_at_once_leaves_what_the_locked_path_leaves(
    runtime: Runtime, count_statements: StatementCounter
) -> None:
    store = await make_store(runtime, variants=2, stock=50)
    first, second = store.variants
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    start = clock.now()
    states: list[dict[str, Any]] = []
    for made_by in (runtime, locked(runtime)):
        clock.set(start)
        created = await services.create_cart(
            made_by.uow(), channel_id=store.channel.id, lines=[LineInput(first, 1)]
        )
        empty = await services.create_cart(made_by.uow(), channel_id=store.channel.id)
        assert created.token and empty.token
        written_before = len(await stored_events(runtime))
        recorded: list[object] = []
        answers = []
        locks = []
        for token, variant, quantity, key, later in (
            (created.token, first, 2, "first-add-key-0001", timedelta(0)),
            # Two minutes on, the holds are due for a push to the new expiry.
            (created.token, second, 3, "second-add-key-0002", timedelta(minutes=2)),
            (created.token, first, 2, "first-add-key-0001", timedelta(0)),
            # A cart that holds nothing yet.
            (empty.token, second, 1, "empty-cart-key-0003", timedelta(seconds=5)),
        ):
            clock.advance(later)
            uow = made_by.uow()
            count_statements.reset()
            result = await services.add_lines(
                uow, token=token, lines=[LineInput(variant, quantity)], guard=Guard(None, key)
            )
            answers.append((result.replayed, result.cart.cart.version))
            recorded += uow.committed_events
            locks.append(any("FOR UPDATE" in s for s in count_statements.statements))
        written = (await stored_events(runtime))[written_before:]
        states.append(
            {
                "cart": await cart_state(runtime, created.token),
                "empty cart": await cart_state(runtime, empty.token),
                "answers": answers,
                "locked": locks,
                "recorded": [type(event).__name__ for event in recorded],
                "outbox": [
                    (e.topic, e.payload.get("version"), e.payload.get("cause")) for e in written
                ],
                "outbox as recorded": [(e.topic, e.subject_ids, e.payload) for e in written]
                == [
                    (e.topic, list(e.subject_ids()), e.payload())
                    for e in recorded
                    if isinstance(e, PublishedEvent)
                ],
            }
        )

    at_once, by_lock = states
    # The retry finds its key taken: the statement refuses, the locked path replays.
    assert at_once["locked"] == [False, False, True, False]
    assert by_lock["locked"] == [True] * 4
    assert {**at_once, "locked": None} == {**by_lock, "locked": None}
    assert at_once["answers"] == [(False, 2), (False, 3), (True, 3), (False, 2)]
    assert at_once["outbox as recorded"] is True
    lines = at_once["cart"]["lines"]
    assert [quantity for _, quantity, *_ in lines] == [3, 3]
    # Both holds now expire a reservation lifetime after the second add.
    expiry = start + timedelta(minutes=2, seconds=store.channel.reservation_ttl_seconds)
    assert [r[3] for r in at_once["cart"]["held"]] == [expiry, expiry]


class Meddler:
    """A pricing plugin that lets something else happen between an add's read and its
    write, on its next call only (the add prices the cart between the two)."""

    def __init__(self) -> None:
        self.next: Callable[[], Awaitable[None]] | None = None

    @hookimpl
    async def omnicart_price_lines(self, lines: Sequence[PriceLine]) -> list[PriceAdjustment]:
        meddle, self.next = self.next, None
        if meddle is not None:
            await meddle()
        return []


@pytest.fixture
async def meddled(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> tuple[Runtime, Meddler]:
    meddler = Meddler()
    runtime = Runtime.build(
        settings,
        engine=engine,
        reads=reads,
        clock=clock,
        plugins=PluginHost.load(extra={"meddler": meddler}),
    )
    return runtime, meddler


async def test_an_add_that_another_device_overtook_lands_after_it(
    meddled: tuple[Runtime, Meddler],
) -> None:
    runtime, meddler = meddled
    shop = await make_shop(runtime, warehouse=10, plugins=[EnabledPlugin("meddler", {})])
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )
    assert created.token
    token = created.token

    async def other_device() -> None:
        await services.add_lines(runtime.uow(), token=token, lines=[LineInput(shop.variant_id, 1)])

    meddler.next = other_device
    result = await services.add_lines(
        runtime.uow(),
        token=token,
        lines=[LineInput(shop.variant_id, 2)],
        guard=Guard(idempotency_key="my-add-key-00000001"),
    )

    assert meddler.next is None  # it ran between the add's read and its write
    assert result.cart.cart.version == 3
    assert [line.quantity for line in result.cart.cart.lines] == [4]
    assert (await availability(runtime, shop)).quantity == 6
    held = (await stored(runtime)).reservations
    assert [(r.owner_id, r.quantity) for r in held] == [(str(result.cart.cart.id), 4)]
    state = await cart_state(runtime, token)
    assert state["keys"] == [(Operation.ADD_LINES.value, state["keys"][0][1], 3)]


async def test_an_add_whose_stock_ran_out_before_its_write_writes_nothing(
    meddled: tuple[Runtime, Meddler],
) -> None:
    runtime, meddler = meddled
    shop = await make_shop(runtime, warehouse=3, plugins=[EnabledPlugin("meddler", {})])
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )
    assert created.token

    async def stock_counted_down() -> None:  # 1 on hand, held by the cart: none to sell
        await inventory.set_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.warehouse.id,
            quantity=1,
            reason="count",
            actor="test",
        )

    meddler.next = stock_counted_down
    before = await row_counts(runtime)
    with pytest.raises(DomainError) as error:
        await services.add_lines(
            runtime.uow(),
            token=created.token,
            lines=[LineInput(shop.variant_id, 1)],
            guard=Guard(idempotency_key="too-late-key-000001"),
        )

    assert meddler.next is None
    assert {problem.code for problem in error.value.problems} == {ErrorCode.INSUFFICIENT_STOCK}
    after = await row_counts(runtime)
    # Only the count's own rows: its movement and its StockChanged event.
    assert {
        table: after[table] - before[table] for table in after if after[table] != before[table]
    } == {
        "stock_movements": 1,
        "outbox_events": 1,
    }
    state = await cart_state(runtime, created.token)
    assert state["answer"][:2] == (1, [(shop.variant_id, 1)])
    assert state["keys"] == []


async def test_one_key_sent_from_many_devices_at_once_applies_once(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=50)
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )
    assert created.token
    token = created.token

    async def add() -> services.CartResult:
        return await services.add_lines(
            runtime.uow(),
            token=token,
            lines=[LineInput(shop.variant_id, 2)],
            guard=Guard(idempotency_key="one-tap-key-0000001"),
        )

    results = await asyncio.gather(*(add() for _ in range(12)))

    assert sorted(result.replayed for result in results) == [False] + [True] * 11
    assert {result.cart.cart.version for result in results} == {2}
    assert (await availability(runtime, shop)).quantity == 47


async def test_many_carts_adding_the_last_units_at_once_never_oversell(runtime: Runtime) -> None:
    shop = await make_shop(runtime, warehouse=45)
    tokens = []
    for _ in range(40):  # each holding 1 unit: 5 left to sell
        created = await services.create_cart(
            runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
        )
        assert created.token
        tokens.append(created.token)

    async def add(token: str) -> bool:
        try:
            await services.add_lines(
                runtime.uow(), token=token, lines=[LineInput(shop.variant_id, 1)]
            )
        except DomainError as error:
            assert {problem.code for problem in error.problems} == {ErrorCode.INSUFFICIENT_STOCK}
            return False
        return True

    landed = await asyncio.gather(*(add(token) for token in tokens))

    assert sum(landed) == 5
    held = await stored(runtime)
    assert held.levels[(shop.variant_id, shop.warehouse.id)] == (45, 45)
    assert sum(r.quantity for r in held.reservations) == 45
    in_carts = 0
    for token in tokens:
        cart = await services.read_cart(runtime.uow(), token, Caller())
        assert cart is not None
        in_carts += sum(line.quantity for line in cart.cart.lines)
    assert in_carts == 45
