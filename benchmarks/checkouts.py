"""C1's carts: fresh 3-line carts ready to check out, made through the real services.

Each C1 request checks out a cart of its own, so every cart wrk may send is made before
the server starts: in the ``checkout`` channel (the web delivery adapter and the test
payment gateway enabled, ``benchmarks.catalog``), 1 unit each of 3 variants of the
products ``CHECKOUT_PRODUCTS`` (cart n takes variants 3n, 3n+1, 3n+2 of the 200, in
turn, so consecutive checkouts lock different stock rows), then an email, a shipping
address and, reading the cart's delivery groups as a client does, the cheapest option
of each group: ``create_cart``, ``set_shipping_address``, ``delivery_groups`` and
``select_delivery_options``, the services the GraphQL mutations call, ``CONCURRENCY``
carts at a time.

The supply is handed out in slices (``CheckoutCarts.take``): one per wrk run, sized for
``MAX_RATE`` checkouts a second, and one or two for the answer checks, so that no cart
is ever sent twice.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Final

import orjson
from sqlalchemy import select
from sqlalchemy.engine import make_url

from benchmarks.carts import new_key, settings_for
from benchmarks.catalog import (
    CHECKOUT_CHANNEL_SLUG,
    CHECKOUT_PRODUCTS,
    VARIANTS_PER_PRODUCT,
    variant_sku,
)
from core.carts.pricing import line_totals
from core.carts.services import (
    DeliveryChoice,
    LineInput,
    MailingAddressInput,
    create_cart,
    select_delivery_options,
    set_shipping_address,
)
from core.catalog.tables import VariantRow
from core.channels.tables import ChannelRow, LocationRow
from core.db import table_of
from core.delivery.services import delivery_groups
from core.ids import ChannelId, LocationId, VariantId
from core.inventory.services import set_stock
from core.runtime import Runtime

LINES_PER_CART: Final = 3
# run_rate never sizes a run for fewer checkouts a second than this.
_MIN_RATE: Final = 20
# Checkouts a second the supply is sized for: 4 times the 150/s target (checkout
# passed 250/s once it was made fast). A run that outpaces it runs out of carts, and
# its extra requests count as errors (exhausted): raise it then. Making a cart takes
# three write services, about three checkouts of CPU, so every cart made and not sent
# costs preparation time.
MAX_RATE: Final = 600
# Carts made at once per process (the runtime's pool holds 20 connections), and
# processes making them on PostgreSQL (one per core of the benchmark machine).
CONCURRENCY: Final = 16
PROCESSES: Final = 2
# On hand at warehouse-1 for each of the 200 variants: far more than the carts take
# (20,000 carts of 3 lines are 300 units a variant).
STOCK_PER_VARIANT: Final = 1_000_000
EMAIL: Final = "shopper@example.com"
ADDRESS: Final = MailingAddressInput(
    first_name="Ann",
    last_name="Lee",
    line1="1 Main St",
    postal_code="00-001",
    city="Warszawa",
    country_code="PL",
)
PROVIDER: Final = "test-gateway"

C1_DOCUMENT: Final = (
    "mutation C1($token: String!, $key: String!) { "
    "checkoutComplete(token: $token, idempotencyKey: $key, "
    'payment: {provider: "test-gateway"}) { '
    "order { number status paymentStatus lines { sku quantity unitPrice { amount } } "
    "cost { subtotalAmount { amount currency } deliveryAmount { amount } "
    "totalAmount { amount currency } } } "
    "errors { code } replayed } }"
)

_variants = table_of(VariantRow)
_channels = table_of(ChannelRow)
_locations = table_of(LocationRow)


def checkout_skus() -> list[str]:
    """The 200 SKUs C1's carts take from, in the order carts take them."""
    return [
        variant_sku(product, variant)
        for product in CHECKOUT_PRODUCTS
        for variant in range(VARIANTS_PER_PRODUCT)
    ]


def cart_skus(number: int) -> list[str]:
    """The SKUs of cart ``number``: 3 consecutive of ``checkout_skus``, wrapping around."""
    skus = checkout_skus()
    return [skus[(LINES_PER_CART * number + k) % len(skus)] for k in range(LINES_PER_CART)]


def carts_needed(seconds: float, connections: int, rate: float = MAX_RATE) -> int:
    """Carts for one wrk run of ``seconds`` at ``rate`` checkouts a second (at most
    ``MAX_RATE``), plus one per connection (a request in flight when the run ends),
    plus 10 % for uneven threads."""
    return math.ceil(min(rate, MAX_RATE) * seconds * 11 / 10) + connections


def run_rate(best_so_far: float | None) -> float:
    """The rate a measured run's carts are made for: twice the best rate an earlier run
    of the query reached (the warm-up's at first), at most ``MAX_RATE``; ``MAX_RATE``
    when none ran yet. Making carts costs about three checkouts of CPU, so a run gets
    what it can use, with room to double, rather than ``MAX_RATE``'s worth."""
    if best_so_far is None:
        return MAX_RATE
    return min(MAX_RATE, max(2 * best_so_far, _MIN_RATE))


@dataclass(slots=True)
class CheckoutCarts:
    """The prepared carts' tokens and what the accounting needs; ``take`` hands out
    slices no other request gets."""

    tokens: tuple[str, ...]
    channel_id: int
    variant_ids: tuple[int, ...]
    used: int = field(default=0)

    def top_up(self, driver_url: str, count: int) -> None:
        """Make more carts until ``count`` are left unused (between wrk runs)."""
        missing = count - self.left
        if missing > 0:
            numbers = range(len(self.tokens), len(self.tokens) + missing)
            made = asyncio.run(_made(driver_url, self.channel_id, self.variant_ids, numbers))
            self.tokens = (*self.tokens, *made)

    def take(self, count: int) -> tuple[str, ...]:
        if self.used + count > len(self.tokens):
            raise ValueError(f"C1 needs {count} more carts; {self.left} are left")
        taken = self.tokens[self.used : self.used + count]
        self.used += count
        return taken

    @property
    def left(self) -> int:
        return len(self.tokens) - self.used

    def body(self, index: int) -> bytes:
        """Request ``index``'s JSON body: the next unused cart, a fresh key; ``index``
        only names the request (every call takes a new cart)."""
        (token,) = self.take(1)
        return checkout_body(token, new_key())


def checkout_body(token: str, key: str) -> bytes:
    return orjson.dumps({"query": C1_DOCUMENT, "variables": {"token": token, "key": key}})


def prepare_checkout_carts(driver_url: str, count: int) -> CheckoutCarts:
    """Give C1's variants stock and make ``count`` carts ready to check out."""
    return asyncio.run(_prepare(driver_url, count))


async def _prepare(driver_url: str, count: int) -> CheckoutCarts:
    runtime = Runtime.build(settings_for(driver_url))
    try:
        async with runtime.engine.connect() as connection:
            channel_id = await connection.scalar(
                select(_channels.c.id).where(_channels.c.slug == CHECKOUT_CHANNEL_SLUG)
            )
            warehouse_id = await connection.scalar(
                select(_locations.c.id).where(_locations.c.slug == "warehouse-1")
            )
            found = dict(
                (
                    await connection.execute(
                        select(_variants.c.sku, _variants.c.id).where(
                            _variants.c.sku.in_(checkout_skus())
                        )
                    )
                ).all()
            )
        if channel_id is None or warehouse_id is None or len(found) != len(checkout_skus()):
            raise ValueError(f"no {CHECKOUT_CHANNEL_SLUG!r} channel: load the catalog again")
        variant_ids = [int(found[sku]) for sku in checkout_skus()]
        for variant_id in variant_ids:
            await set_stock(
                runtime.uow(),
                variant_id=VariantId(variant_id),
                location_id=LocationId(int(warehouse_id)),
                quantity=STOCK_PER_VARIANT,
                reason="C1 benchmark: enough stock for every checkout",
                actor="benchmarks",
            )
    finally:
        await runtime.close()
    tokens = await _made(driver_url, int(channel_id), variant_ids, range(count))
    return CheckoutCarts(
        tokens=tuple(tokens),
        channel_id=int(channel_id),
        variant_ids=tuple(variant_ids),
    )


async def _made(
    driver_url: str, channel_id: int, variant_ids: Sequence[int], numbers: range
) -> list[str]:
    """The tokens of carts ``numbers``, in order."""
    if make_url(driver_url).get_backend_name() == "sqlite":
        # One writer at a time: no process would help.
        return await _make_carts(driver_url, ChannelId(channel_id), variant_ids, numbers)
    return await _in_processes(driver_url, channel_id, variant_ids, numbers)


async def _in_processes(
    driver_url: str, channel_id: int, variant_ids: Sequence[int], numbers: range
) -> list[str]:
    """Carts ``numbers`` made by ``PROCESSES`` processes (the services are CPU-bound in
    Python: a process per core), in order."""
    batches = [numbers[start::PROCESSES] for start in range(PROCESSES)]
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=PROCESSES) as pool:
        made = await asyncio.gather(
            *(
                loop.run_in_executor(pool, _make_batch, driver_url, channel_id, variant_ids, batch)
                for batch in batches
            )
        )
    by_number = {
        number: token
        for batch, tokens in zip(batches, made, strict=True)
        for number, token in zip(batch, tokens, strict=True)
    }
    return [by_number[number] for number in numbers]


def _make_batch(
    driver_url: str, channel_id: int, variant_ids: Sequence[int], numbers: range
) -> list[str]:
    """In a worker process: carts ``numbers``, ``CONCURRENCY`` at a time; their tokens."""
    return asyncio.run(_make_carts(driver_url, ChannelId(channel_id), variant_ids, numbers))


async def _make_carts(
    driver_url: str, channel_id: ChannelId, variant_ids: Sequence[int], numbers: range
) -> list[str]:
    runtime = Runtime.build(settings_for(driver_url))
    gate = asyncio.Semaphore(CONCURRENCY)
    width = len(variant_ids)

    async def one(number: int) -> str:
        lines = [
            VariantId(variant_ids[(LINES_PER_CART * number + k) % width])
            for k in range(LINES_PER_CART)
        ]
        async with gate:
            return await ready_cart(runtime, channel_id, lines)

    try:
        return list(await asyncio.gather(*(one(number) for number in numbers)))
    finally:
        await runtime.close()


async def ready_cart(runtime: Runtime, channel_id: ChannelId, variants: Sequence[VariantId]) -> str:
    """One cart as a shopper leaves it at the payment step; its token."""
    created = await create_cart(
        runtime.uow(),
        channel_id=channel_id,
        lines=[LineInput(variant, 1) for variant in variants],
        email=EMAIL,
    )
    token = created.token
    assert token is not None  # create_cart always returns the new token
    addressed = await set_shipping_address(runtime.uow(), token=token, address=ADDRESS)
    priced = addressed.cart
    async with runtime.reads.connect() as connection:
        groups = await delivery_groups(
            connection,
            runtime.plugins,
            priced.channel,
            priced.cart,
            now=runtime.clock.now(),
            line_totals=line_totals(priced),
        )
    choices = [
        DeliveryChoice(group.id, min(group.options, key=lambda o: o.cost.minor_units).handle)
        for group in groups
    ]
    await select_delivery_options(runtime.uow(), token=token, choices=choices)
    return token
