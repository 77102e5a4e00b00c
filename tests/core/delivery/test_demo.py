"""The demo data exercises delivery: each demo channel's adapter offers its options."""

from __future__ import annotations

from sqlalchemy import select

from core.carts import services as carts
from core.carts.pricing import line_totals
from core.channels.queries import all_channels
from core.channels.tables import LocationRow
from core.delivery import services as delivery
from core.delivery.model import DeliveryGroup
from core.demo.seed import seed_demo
from core.ids import VariantId
from core.inventory.tables import StockLevelRow
from core.runtime import Runtime


async def groups_in(runtime: Runtime, channel_slug: str, variant_id: VariantId) -> DeliveryGroup:
    async with runtime.reads.connect() as connection:
        channel = {c.slug: c for c in await all_channels(connection)}[channel_slug]
    made = await carts.create_cart(
        runtime.uow(), channel_id=channel.id, lines=[carts.LineInput(variant_id, 1)]
    )
    async with runtime.reads.connect() as connection:
        [group] = await delivery.delivery_groups(
            connection,
            runtime.plugins,
            channel,
            made.cart.cart,
            now=runtime.clock.now(),
            line_totals=line_totals(made.cart),
        )
    return group


async def test_every_demo_channel_with_an_adapter_offers_delivery(runtime: Runtime) -> None:
    await seed_demo(runtime)
    async with runtime.engine.connect() as connection:
        variant_id = VariantId(
            (
                await connection.execute(
                    select(StockLevelRow.variant_id)
                    .join(LocationRow, LocationRow.id == StockLevelRow.location_id)
                    .where(LocationRow.slug == "warszawa-store", StockLevelRow.on_hand >= 2)
                    .order_by(StockLevelRow.variant_id)
                    .limit(1)
                )
            ).scalar_one()
        )

    web = await groups_in(runtime, "web", variant_id)
    mobile = await groups_in(runtime, "mobile", variant_id)
    marketplace = await groups_in(runtime, "marketplace", variant_id)

    web_handles = [option.handle for option in web.options]
    assert web_handles[0] == "shipping:standard"
    assert "pickup:warszawa-store" in web_handles
    assert "reserve:warszawa-store" in [option.handle for option in mobile.options]
    assert [option.handle for option in marketplace.options] == ["marketplace"]
