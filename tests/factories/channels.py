"""Channels and locations, made through the channel services."""

from __future__ import annotations

from collections.abc import Sequence

from core.channels import services as channels
from core.channels.model import (
    Address,
    Channel,
    ChannelKind,
    EnabledPlugin,
    Location,
    LocationKind,
)
from core.runtime import Runtime


async def make_channel(
    runtime: Runtime,
    *,
    slug: str = "web",
    name: str | None = None,
    kind: ChannelKind = ChannelKind.WEB,
    currency: str = "USD",
    plugins: Sequence[EnabledPlugin] = (),
    locations: Sequence[Location] = (),
) -> Channel:
    """A channel; ``locations`` supply it in the order given (priority 0, 1, ...)."""
    return await channels.create_channel(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        kind=kind,
        currency=currency,
        plugins=plugins,
        locations=[
            channels.LocationSupply(location.id, priority)
            for priority, location in enumerate(locations)
        ],
    )


async def make_location(
    runtime: Runtime,
    *,
    slug: str = "central-warehouse",
    name: str | None = None,
    kind: LocationKind = LocationKind.WAREHOUSE,
    address: Address = channels.NO_ADDRESS,
    latitude: float | None = None,
    longitude: float | None = None,
    pickup_enabled: bool = False,
    ship_from_store_enabled: bool = False,
) -> Location:
    return await channels.create_location(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        kind=kind,
        address=address,
        latitude=latitude,
        longitude=longitude,
        pickup_enabled=pickup_enabled,
        ship_from_store_enabled=ship_from_store_enabled,
    )
