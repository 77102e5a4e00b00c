"""A channel set up for delivery options: a warehouse and two pick-up stores with
coordinates, two variants priced 60.00 PLN, stock given per (variant, location).

Priorities: warehouse 0, centre store 1, far store 2. The centre store is in Warszawa,
the far store in Kraków; the warehouse near Warszawa.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.carts import services as carts
from core.carts.model import PricedCart
from core.carts.pricing import line_totals
from core.channels.model import (
    Channel,
    ChannelKind,
    Coordinates,
    EnabledPlugin,
    Location,
    LocationKind,
)
from core.delivery import services as delivery
from core.delivery.model import DeliveryGroup
from core.ids import VariantId
from core.inventory import services as inventory
from core.runtime import Runtime
from tests.factories.catalog import make_product
from tests.factories.channels import make_channel, make_location

WARSZAWA = (52.2319, 21.0067)
KRAKOW = (50.0630, 19.9399)


@dataclass(frozen=True)
class DeliveryShop:
    channel: Channel
    warehouse: Location
    centre: Location
    far: Location
    variants: tuple[VariantId, VariantId]

    def location(self, slug: str) -> Location:
        return {"warehouse": self.warehouse, "centre": self.centre, "far": self.far}[slug]


async def make_delivery_shop(
    runtime: Runtime,
    *,
    plugin: str = "web",
    settings: Mapping[str, Any] | None = None,
    stock: Mapping[tuple[int, str], int],
    kind: ChannelKind | None = None,
    extra_plugins: tuple[EnabledPlugin, ...] = (),
) -> DeliveryShop:
    """``stock``: on hand per (variant index 0 or 1, "warehouse" / "centre" / "far")."""
    warehouse = await make_location(runtime, slug="warehouse", latitude=52.19, longitude=20.61)
    centre = await make_location(
        runtime,
        slug="centre-store",
        name="Centre store",
        kind=LocationKind.STORE,
        latitude=WARSZAWA[0],
        longitude=WARSZAWA[1],
        pickup_enabled=True,
    )
    far = await make_location(
        runtime,
        slug="far-store",
        name="Far store",
        kind=LocationKind.STORE,
        latitude=KRAKOW[0],
        longitude=KRAKOW[1],
        pickup_enabled=True,
    )
    channel = await make_channel(
        runtime,
        slug="shop",
        kind=kind or ChannelKind(plugin),
        currency="PLN",
        plugins=[EnabledPlugin(plugin, dict(settings or {})), *extra_plugins],
        locations=[warehouse, centre, far],
    )
    product = await make_product(
        runtime, channel=channel, slug="boots", variants=["BOOT-1", "BOOT-2"], price="60.00"
    )
    shop = DeliveryShop(
        channel, warehouse, centre, far, (product.variants[0].id, product.variants[1].id)
    )
    for (index, slug), quantity in stock.items():
        await inventory.set_stock(
            runtime.uow(),
            variant_id=shop.variants[index],
            location_id=shop.location(slug).id,
            quantity=quantity,
            reason="count",
            actor="test",
        )
    return shop


async def make_cart(runtime: Runtime, shop: DeliveryShop, quantities: tuple[int, ...]) -> str:
    """A cart of ``quantities`` of each variant (0 leaves it out); its token."""
    made = await carts.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        lines=[
            carts.LineInput(shop.variants[index], quantity)
            for index, quantity in enumerate(quantities)
            if quantity
        ],
    )
    assert made.token is not None
    return made.token


async def read(runtime: Runtime, token: str) -> PricedCart:
    found = await carts.read_cart(runtime.uow(), token, carts.Caller())
    assert found is not None
    return found


async def groups_of(
    runtime: Runtime, token: str, *, near: tuple[float, float] | None = None
) -> list[DeliveryGroup]:
    """The cart's delivery groups as a client reads them."""
    priced = await read(runtime, token)
    async with runtime.reads.connect() as connection:
        return await delivery.delivery_groups(
            connection,
            runtime.plugins,
            priced.channel,
            priced.cart,
            now=runtime.clock.now(),
            line_totals=line_totals(priced),
            near=None if near is None else Coordinates(*near),
        )


def handles(group: DeliveryGroup) -> list[str]:
    return [option.handle for option in group.options]
