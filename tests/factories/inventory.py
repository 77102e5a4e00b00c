"""A shop to test inventory in: a channel supplied by a warehouse, then a store; and its
stock and reservations as stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from core.catalog import queries as catalog_queries
from core.catalog.model import ProductInclude
from core.channels.model import Channel, EnabledPlugin, Location, LocationKind
from core.db import table_of
from core.ids import VariantId
from core.inventory import queries, services
from core.inventory.model import ChannelAvailability, Reservation
from core.inventory.queries import reservation_from_row
from core.inventory.tables import ReservationRow, StockLevelRow
from core.runtime import Runtime
from tests.factories.catalog import make_product
from tests.factories.channels import make_channel, make_location


@dataclass(frozen=True)
class Shop:
    channel: Channel
    warehouse: Location
    store: Location
    variant_id: VariantId


async def make_shop(
    runtime: Runtime,
    *,
    warehouse: int = 0,
    store: int = 0,
    plugins: Sequence[EnabledPlugin] = (),
    slug: str = "web",
) -> Shop:
    """A channel drawing on a warehouse first and a store second, one variant stocked."""
    warehouse_location = await make_location(runtime, slug=f"{slug}-warehouse")
    store_location = await make_location(
        runtime, slug=f"{slug}-store", kind=LocationKind.STORE, pickup_enabled=True
    )
    channel = await make_channel(
        runtime, slug=slug, plugins=plugins, locations=[warehouse_location, store_location]
    )
    product = await make_product(runtime, channel=channel, slug=f"{slug}-tee")
    variant_id = product.variants[0].id
    for location, quantity in ((warehouse_location, warehouse), (store_location, store)):
        if quantity:
            await services.set_stock(
                runtime.uow(),
                variant_id=variant_id,
                location_id=location.id,
                quantity=quantity,
                reason="initial count",
                actor="test",
            )
    return Shop(channel, warehouse_location, store_location, variant_id)


async def count_stock(runtime: Runtime, shop: Shop, quantity: int) -> None:
    """A staff count of the shop's variant at its warehouse (one StockChanged)."""
    await services.set_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.warehouse.id,
        quantity=quantity,
        reason="count",
        actor="test",
    )


async def availability(runtime: Runtime, shop: Shop) -> ChannelAvailability:
    async with runtime.reads.connect() as connection:
        result = await queries.available_in_channel(
            connection,
            channel_id=shop.channel.id,
            variant_ids=[shop.variant_id],
            now=runtime.clock.now(),
        )
    return result[shop.variant_id]


async def listed_stock(runtime: Runtime, shop: Shop) -> int:
    """The variant's stock in the channel as a product page reads it, with its variants."""
    async with runtime.reads.connect() as connection:
        [bundle] = await catalog_queries.products_where(
            connection,
            channel_id=shop.channel.id,
            slugs=[f"{shop.channel.slug}-tee"],
            include=ProductInclude(variants=True, availability=True),
            now=runtime.clock.now(),
        )
    [variant] = bundle.variants
    assert variant.id == shop.variant_id
    [quantity] = bundle.channel_stock
    return quantity


@dataclass(frozen=True)
class Stored:
    """Stock rows and reservation rows as stored, to compare before and after."""

    levels: dict[tuple[int, int], tuple[int, int]]
    reservations: list[Reservation]


async def stored(runtime: Runtime) -> Stored:
    levels = table_of(StockLevelRow)
    reservations = table_of(ReservationRow)
    async with runtime.engine.connect() as connection:
        level_rows = (await connection.execute(select(levels))).all()
        reservation_rows = (
            await connection.execute(select(reservations).order_by(reservations.c.id))
        ).all()
    return Stored(
        levels={
            (row.variant_id, row.location_id): (row.on_hand, row.reserved) for row in level_rows
        },
        reservations=[reservation_from_row(row) for row in reservation_rows],
    )
