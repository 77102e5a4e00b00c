"""Per-request DataLoaders for channel relations (core values; the types map them)."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from core.channels import queries
from core.channels.model import SupplyingLocation
from core.db.reads import Reads
from core.ids import ChannelId


def supply_by_channel_id(reads: Reads) -> DataLoader[int, list[SupplyingLocation]]:
    """The locations supplying each channel, in priority order (two statements a batch)."""

    async def load(keys: Sequence[int]) -> list[list[SupplyingLocation]]:
        async with reads.connect() as connection:
            links = await queries.channel_locations_by_channel_id(connection, keys)
            location_ids = sorted({link.location_id for found in links.values() for link in found})
            locations = (
                await queries.locations_by_id(connection, location_ids) if location_ids else {}
            )
        return [
            [
                SupplyingLocation(location=locations[link.location_id], priority=link.priority)
                for link in links.get(ChannelId(key), [])
            ]
            for key in keys
        ]

    return DataLoader(load_fn=load, max_batch_size=500)
