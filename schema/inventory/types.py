"""GraphQL types for availability as shoppers see it (issue 4)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.channels.model import Coordinates, StockDisplay
from core.errors import DomainError, ErrorCode
from core.inventory import model
from core.inventory.pickup import NearbyStore, nearest
from schema.channels.types import Location
from schema.context import Context
from schema.errors import bad_input
from schema.relay import PageInfo, to_global_id

StockStatus = strawberry.enum(
    model.StockStatus,
    name="StockStatus",
    description="IN_STOCK, LOW_STOCK (at or below the channel's threshold) or OUT_OF_STOCK.",
)


@strawberry.type(description="What a channel shows of a variant's stock right now.")
class VariantAvailability:
    status: StockStatus  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    quantity: int | None = strawberry.field(
        description=(
            "Units available to sell in the channel, after plugin buffers; "
            "null when the channel shows only a status."
        )
    )

    @classmethod
    def from_model(cls, shown: model.ShownAvailability) -> VariantAvailability:
        return cls(status=shown.status, quantity=shown.quantity)


@strawberry.input(description="A point on Earth, in decimal degrees.")
class GeoPointInput:
    lat: float
    lon: float


@strawberry.type(description="A pick-up store and what it can do for one variant.")
class StoreAvailability:
    location: Location
    quantity: int | None = strawberry.field(
        description="Units available at this store; null when the channel shows only a status."
    )
    distance_km: float | None = strawberry.field(
        description=(
            "Great-circle distance from the point asked; null for a store without coordinates."
        )
    )
    pickup_ready_at: datetime | None = strawberry.field(
        description=(
            "Estimated pick-up time: soon when the store has the unit, later when it must "
            "come from another location supplying the channel; null when none has it."
        )
    )

    @classmethod
    def from_model(cls, nearby: NearbyStore, *, exact: bool) -> StoreAvailability:
        store = nearby.store
        return cls(
            location=Location.from_model(store.location),
            quantity=store.available if exact else None,
            distance_km=round(nearby.distance_km, 3) if nearby.distance_km is not None else None,
            pickup_ready_at=store.ready_at,
        )


@strawberry.type
class StoreAvailabilityEdge:
    cursor: str
    node: StoreAvailability


@strawberry.type(description="Pick-up stores, nearest first (Relay connection).")
class StoreAvailabilityConnection:
    edges: list[StoreAvailabilityEdge]
    page_info: PageInfo


async def variant_availability(
    context: Context, channel: str | None, channel_id: int, variant_id: int
) -> VariantAvailability:
    """A variant's availability in ``channel`` (a slug) or else in ``channel_id``."""
    if channel is not None:
        channel_id = (await context.channel(channel)).id
    shown = await context.loaders.availability_by_variant_id.load((channel_id, variant_id))
    return VariantAvailability.from_model(shown)


async def store_availability(
    context: Context, channel_id: int, variant_id: int, near: GeoPointInput, first: int
) -> StoreAvailabilityConnection:
    """Pick-up stores for a variant nearest ``near`` first, as precise as the channel shows."""
    maximum = context.runtime.settings.max_page_size
    problems = [
        *([] if -90 <= near.lat <= 90 else [("near.lat", "lat must be between -90 and 90")]),
        *([] if -180 <= near.lon <= 180 else [("near.lon", "lon must be between -180 and 180")]),
        *([] if 0 <= first <= maximum else [("first", f"first must be between 0 and {maximum}")]),
    ]
    if problems:
        field, message = problems[0]
        raise bad_input(DomainError.single(ErrorCode.INVALID, message, field))
    stores = await context.loaders.pickup_stock_by_variant_id.load((channel_id, variant_id))
    exact = context.known_channel(channel_id).stock_display is StockDisplay.EXACT
    ranked = nearest(stores, Coordinates(latitude=near.lat, longitude=near.lon))
    edges = [
        StoreAvailabilityEdge(
            cursor=to_global_id("StoreAvailabilityPosition", position),
            node=StoreAvailability.from_model(nearby, exact=exact),
        )
        for position, nearby in enumerate(ranked[:first])
    ]
    return StoreAvailabilityConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(ranked) > first,
            has_previous_page=False,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
