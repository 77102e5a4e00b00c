"""M1's carts: 100 carts holding one variant, stock for every add, and the accounting.

M1 adds 1 unit of one fixed variant (``SKU-499-0``, "59.90") to carts made here
through the real service (``core.carts.services.create_cart``), each with 1 unit of
that variant, before the server starts. The variant is not on Q1's page nor Q2's
product, so its stock (set to millions here) and the units the carts hold leave the
read queries' expected answers alone.

Every add is one unit held for its cart (a reservation) and, with its idempotency
key, one ``cart_requests`` record; ``CartTotals`` reads the three from the database,
independently of the app, to show that every add landed exactly once.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from dataclasses import dataclass
from typing import Final

import orjson
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.catalog import CHANNEL_SLUG, WAREHOUSE_COUNT, price_minor_units, variant_sku
from core.carts.services import CartLimits, LineInput, Operation, create_cart
from core.carts.tables import CartLineRow, CartRequestRow
from core.catalog.tables import VariantRow
from core.channels.tables import ChannelRow, LocationRow
from core.config import Settings
from core.db import table_of
from core.ids import ChannelId, LocationId, VariantId
from core.inventory.services import set_stock
from core.inventory.tables import StockLevelRow
from core.runtime import Runtime

CART_COUNT: Final = 100
# The fixed variant: SKU-499-0, price 1000 + 10*499 + 0 = 5990 minor units ("59.90").
M1_PRODUCT: Final = 499
M1_VARIANT: Final = 0
M1_SKU: Final = variant_sku(M1_PRODUCT, M1_VARIANT)
M1_UNIT_PRICE_MINOR: Final = price_minor_units(M1_PRODUCT, M1_VARIANT)
INITIAL_QUANTITY: Final = 1
# On hand at each warehouse: 2 x 50 million units, more than any run can add
# (1,000 adds/s for 24 hours is 86.4 million).
M1_STOCK_PER_WAREHOUSE: Final = 50_000_000
# The server's OMNICART_CART_MAX_LINE_QUANTITY: the 100 carts share every add of
# every run, so their one line grows past the default 999 within a few minutes.
CART_MAX_LINE_QUANTITY: Final = 1_000_000

# Longer than any add takes, even queued behind 16 others on a busy machine.
_SETTLE_SECONDS: Final = 1.0
_SETTLE_TIMEOUT_SECONDS: Final = 60.0

M1_DOCUMENT: Final = (
    "mutation M1($token: String!, $variantId: ID!, $key: String!) { "
    "cartLinesAdd(token: $token, lines: [{variantId: $variantId, quantity: 1}], "
    "idempotencyKey: $key) { "
    "cart { version totalQuantity lines { id } cost { totalAmount { amount currency } } } "
    "errors { code } } }"
)

_lines = table_of(CartLineRow)
_requests = table_of(CartRequestRow)
_levels = table_of(StockLevelRow)
_variants = table_of(VariantRow)
_locations = table_of(LocationRow)
_channels = table_of(ChannelRow)


class MissingCatalogError(RuntimeError):
    """The database has no benchmark catalog to make M1's carts in."""


@dataclass(frozen=True, slots=True)
class CartSet:
    """The carts M1 rotates over, and the fixed variant's global ID."""

    tokens: tuple[str, ...]
    cart_ids: tuple[int, ...]
    variant_id: int
    variant_global_id: str

    def body(self, index: int) -> bytes:
        """Request ``index``'s body (``benchmarks.queries.RequestSource``)."""
        return self.add_body(index)

    def add_body(self, index: int, key: str | None = None) -> bytes:
        """One M1 request's JSON body: 1 unit into cart ``index % 100``, a fresh key."""
        return orjson.dumps(
            {
                "query": M1_DOCUMENT,
                "variables": {
                    "token": self.tokens[index % len(self.tokens)],
                    "variantId": self.variant_global_id,
                    "key": key or new_key(),
                },
            }
        )


@dataclass(frozen=True, slots=True)
class CartTotals:
    """What the database says about the M1 carts, read outside the app."""

    quantity: int  # units over the lines of the 100 carts
    keyed_adds: int  # cartLinesAdd requests recorded with their idempotency key
    reserved: int  # units of the variant reserved at the warehouses (only the carts hold it)


def new_key() -> str:
    """A fresh idempotency key: a UUID, 36 characters (core.carts.inputs.IDEMPOTENCY_KEY_LENGTH)."""
    return str(uuid.uuid4())


def settings_for(driver_url: str, channel: str = CHANNEL_SLUG) -> Settings:
    """The app's settings in-process, as the benchmark's server gets them from its environment."""
    return Settings(
        database_url=driver_url,
        default_channel=channel,
        cart_max_line_quantity=CART_MAX_LINE_QUANTITY,
    )


def prepare_carts(driver_url: str) -> CartSet:
    """Give the fixed variant millions of units and make the 100 carts (1 unit each)."""
    return asyncio.run(_prepare(driver_url))


async def _prepare(driver_url: str) -> CartSet:
    runtime = Runtime.build(settings_for(driver_url))
    try:
        variant_id, channel_id = await _variant_and_channel(runtime)
        async with runtime.engine.connect() as connection:
            warehouses = (
                await connection.execute(
                    select(_locations.c.id).where(
                        _locations.c.slug.in_(
                            [f"warehouse-{n}" for n in range(1, WAREHOUSE_COUNT + 1)]
                        )
                    )
                )
            ).all()
        for (location_id,) in warehouses:
            await set_stock(
                runtime.uow(),
                variant_id=VariantId(variant_id),
                location_id=LocationId(location_id),
                quantity=M1_STOCK_PER_WAREHOUSE,
                reason="M1 benchmark: enough stock for every add",
                actor="benchmarks",
            )
        limits = CartLimits(max_line_quantity=CART_MAX_LINE_QUANTITY)
        tokens: list[str] = []
        cart_ids: list[int] = []
        for _ in range(CART_COUNT):
            created = await create_cart(
                runtime.uow(),
                channel_id=ChannelId(channel_id),
                lines=[LineInput(VariantId(variant_id), INITIAL_QUANTITY)],
                limits=limits,
            )
            assert created.token is not None  # create_cart always returns the new token
            tokens.append(created.token)
            cart_ids.append(int(created.cart.cart.id))
    finally:
        await runtime.close()
    return CartSet(
        tokens=tuple(tokens),
        cart_ids=tuple(cart_ids),
        variant_id=variant_id,
        variant_global_id=_global_id("ProductVariant", variant_id),
    )


async def _variant_and_channel(runtime: Runtime) -> tuple[int, int]:
    missing = f"no {M1_SKU} in channel {CHANNEL_SLUG!r}: load the benchmark catalog first"
    try:
        async with runtime.engine.connect() as connection:
            variant_id = await connection.scalar(
                select(_variants.c.id).where(_variants.c.sku == M1_SKU)
            )
            channel_id = await connection.scalar(
                select(_channels.c.id).where(_channels.c.slug == CHANNEL_SLUG)
            )
    except (OperationalError, ProgrammingError) as error:  # not migrated: no tables
        raise MissingCatalogError(missing) from error
    if variant_id is None or channel_id is None:
        raise MissingCatalogError(missing)
    return int(variant_id), int(channel_id)


def cart_totals(driver_url: str, carts: CartSet) -> CartTotals:
    """The totals once the server has finished every add sent to it.

    When wrk stops, the requests it had in flight still run in the server; the totals
    are read until two readings ``_SETTLE_SECONDS`` apart agree.
    """
    return asyncio.run(_settled_totals(driver_url, carts))


async def _settled_totals(driver_url: str, carts: CartSet) -> CartTotals:
    engine = create_async_engine(driver_url)
    try:
        # All three in one statement: one snapshot, even with an add committing meanwhile.
        statement = select(
            select(func.coalesce(func.sum(_lines.c.quantity), 0))
            .where(_lines.c.cart_id.in_(carts.cart_ids))
            .scalar_subquery(),
            select(func.count())
            .where(
                _requests.c.cart_id.in_(carts.cart_ids),
                _requests.c.operation == Operation.ADD_LINES.value,
            )
            .scalar_subquery(),
            select(func.coalesce(func.sum(_levels.c.reserved), 0))
            .where(_levels.c.variant_id == carts.variant_id)
            .scalar_subquery(),
        )
        deadline = time.monotonic() + _SETTLE_TIMEOUT_SECONDS
        previous: CartTotals | None = None
        while True:
            async with engine.connect() as connection:
                quantity, keyed, reserved = (await connection.execute(statement)).one()
            totals = CartTotals(int(quantity), int(keyed), int(reserved))
            if totals == previous or time.monotonic() > deadline:
                return totals
            previous = totals
            await asyncio.sleep(_SETTLE_SECONDS)
    finally:
        await engine.dispose()


def _global_id(type_name: str, key: int) -> str:
    # Relay IDs written out (schema/relay.py): URL-safe base64 of "Type:key", unpadded.
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")
