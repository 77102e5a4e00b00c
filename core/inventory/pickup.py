"""Pick-up in store: which stores can hand a variant over, how far they are, and when.

A store offers pick-up when it is a STORE location with pick-up enabled. It is ready:

- ``PICKUP_PREPARATION`` after now when the store itself has at least one unit
  available (on hand less active reservations);
- ``TRANSFER_LEAD_TIME`` after now when it has none but another location supplying
  the channel has one (the unit is sent to the store first);
- never (None) otherwise.

Both lead times are constants: estimates shown to shoppers, not promises a service
enforces. Quantities at a store are the store's own stock; the channel's availability
hook (a marketplace safety buffer) applies to the channel total, not to one store.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from core.channels import queries as channel_queries
from core.channels.model import Channel, Coordinates, Location, LocationKind
from core.db.reads import ReadConnection
from core.ids import VariantId
from core.inventory import queries

# Picking and packing a unit that is already on the store's shelves.
PICKUP_PREPARATION: Final = timedelta(hours=2)
# Moving a unit from another location that supplies the channel to the store.
TRANSFER_LEAD_TIME: Final = timedelta(days=2)

EARTH_RADIUS_KM: Final = 6371.0088


@dataclass(frozen=True, slots=True)
class StoreStock:
    """A pick-up store and what it can do for one variant."""

    location: Location
    available: int
    ready_at: datetime | None


@dataclass(frozen=True, slots=True)
class NearbyStore:
    store: StoreStock
    distance_km: float | None


def distance_km(a: Coordinates, b: Coordinates) -> float:
    """Great-circle (haversine) distance in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def ready_at(now: datetime, *, at_store: int, elsewhere: int) -> datetime | None:
    if at_store >= 1:
        return now + PICKUP_PREPARATION
    if elsewhere >= 1:
        return now + TRANSFER_LEAD_TIME
    return None


async def pickup_stock(
    connection: ReadConnection,
    *,
    channel: Channel,
    variant_ids: Sequence[VariantId],
    now: datetime,
) -> dict[VariantId, list[StoreStock]]:
    """Per variant: every pick-up store with its stock and ready estimate (3 statements)."""
    if not variant_ids:
        return {}
    stores = [
        location
        for location in await channel_queries.all_locations(connection, kind=LocationKind.STORE)
        if location.pickup_enabled
    ]
    levels = await queries.stock_levels_by_variant_id(connection, variant_ids, now=now)
    supply = await queries.available_in_channel(
        connection, channel_id=channel.id, variant_ids=variant_ids, now=now
    )
    result: dict[VariantId, list[StoreStock]] = {}
    for variant_id in variant_ids:
        at = {level.location_id: level.available for level in levels.get(variant_id, [])}
        channel_locations = supply[variant_id].locations
        result[variant_id] = [
            StoreStock(
                location=store,
                available=at.get(store.id, 0),
                ready_at=ready_at(
                    now,
                    at_store=at.get(store.id, 0),
                    elsewhere=sum(
                        location.available
                        for location in channel_locations
                        if location.location_id != store.id
                    ),
                ),
            )
            for store in stores
        ]
    return result


def nearest(stores: Sequence[StoreStock], near: Coordinates) -> list[NearbyStore]:
    """Stores nearest first; stores without coordinates last, by name."""
    measured = [
        NearbyStore(
            store,
            distance_km(near, store.location.coordinates)
            if store.location.coordinates is not None
            else None,
        )
        for store in stores
    ]
    return sorted(
        measured,
        key=lambda item: (
            item.distance_km is None,
            item.distance_km or 0.0,
            item.store.location.name,
            item.store.location.id,
        ),
    )
