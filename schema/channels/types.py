"""GraphQL types for channels and locations."""

from __future__ import annotations

import strawberry

from core.channels import model
from schema.context import Context
from schema.relay import Node, to_global_id

ChannelKind = strawberry.enum(model.ChannelKind, name="ChannelKind")
LocationKind = strawberry.enum(model.LocationKind, name="LocationKind")
StockDisplay = strawberry.enum(
    model.StockDisplay,
    name="StockDisplay",
    description="EXACT shows quantities; STATUS only IN_STOCK / LOW_STOCK / OUT_OF_STOCK.",
)
CartMergePolicy = strawberry.enum(
    model.MergePolicy,
    name="CartMergePolicy",
    description="How a guest cart merges into a customer's cart on login: SUM adds "
    "quantities (capped by availability), KEEP_CUSTOMER and KEEP_GUEST keep one side's "
    "line where both have the variant, NEWEST the line changed last.",
)

PaymentCaptureTiming = strawberry.enum(
    model.PaymentCapture,
    name="PaymentCaptureTiming",
    description="When an order's authorised payment is captured: AT_FULFILMENT (the "
    "first fulfilment; pay-at-pickup orders at collection) or AT_PLACEMENT.",
)


@strawberry.type(description="A plugin switched on in a channel.")
class ChannelPlugin:
    name: str


@strawberry.type(description="Somewhere the retailer sells: web shop, app, marketplace, store.")
class Channel(Node):
    id: strawberry.ID
    slug: str
    name: str
    kind: ChannelKind  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    currency: str
    plugins: list[ChannelPlugin]
    stock_display: StockDisplay  # type: ignore[valid-type]
    low_stock_threshold: int
    reservation_ttl_seconds: int = strawberry.field(
        description="How long a cart holds stock after its last change."
    )
    cart_ttl_seconds: int = strawberry.field(description="How long an untouched cart lives.")
    cart_merge_policy: CartMergePolicy  # type: ignore[valid-type]
    payment_capture: PaymentCaptureTiming  # type: ignore[valid-type]
    return_window_days: int = strawberry.field(
        description="Days after fulfilment in which customers may return goods online."
    )
    channel_id: strawberry.Private[int]

    @strawberry.field(description="The locations that supply the channel, drawn on in this order.")
    async def locations(self, info: strawberry.Info[Context, None]) -> list[ChannelLocation]:
        found = await info.context.loaders.supply_by_channel_id.load(self.channel_id)
        return [ChannelLocation.from_model(supply) for supply in found]

    @classmethod
    def from_model(cls, channel: model.Channel) -> Channel:
        return cls(
            id=strawberry.ID(to_global_id("Channel", channel.id)),
            slug=channel.slug,
            name=channel.name,
            kind=channel.kind,
            currency=channel.currency,
            plugins=[ChannelPlugin(name=plugin.name) for plugin in channel.plugins],
            stock_display=channel.stock_display,
            low_stock_threshold=channel.low_stock_threshold,
            reservation_ttl_seconds=channel.reservation_ttl_seconds,
            cart_ttl_seconds=channel.cart_ttl_seconds,
            cart_merge_policy=channel.cart_merge_policy,
            payment_capture=channel.payment_capture,
            return_window_days=channel.return_window_days,
            channel_id=channel.id,
        )


@strawberry.type
class Address:
    line1: str
    line2: str
    postal_code: str
    city: str
    country_code: str


@strawberry.type
class Coordinates:
    latitude: float
    longitude: float


@strawberry.type(description="A warehouse or a store holding stock.")
class Location(Node):
    id: strawberry.ID
    slug: str
    name: str
    kind: LocationKind  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    address: Address
    coordinates: Coordinates | None
    pickup_enabled: bool
    ship_from_store_enabled: bool
    location_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, location: model.Location) -> Location:
        coordinates = location.coordinates
        return cls(
            id=strawberry.ID(to_global_id("Location", location.id)),
            slug=location.slug,
            name=location.name,
            kind=location.kind,
            address=Address(
                line1=location.address.line1,
                line2=location.address.line2,
                postal_code=location.address.postal_code,
                city=location.address.city,
                country_code=location.address.country_code,
            ),
            coordinates=Coordinates(latitude=coordinates.latitude, longitude=coordinates.longitude)
            if coordinates
            else None,
            pickup_enabled=location.pickup_enabled,
            ship_from_store_enabled=location.ship_from_store_enabled,
            location_id=location.id,
        )


@strawberry.type(description="A location supplying a channel; lower priority is drawn on first.")
class ChannelLocation:
    location: Location
    priority: int

    @classmethod
    def from_model(cls, supply: model.SupplyingLocation) -> ChannelLocation:
        return cls(location=Location.from_model(supply.location), priority=supply.priority)
