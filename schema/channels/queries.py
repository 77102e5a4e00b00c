"""Channel and location queries."""

from __future__ import annotations

import strawberry

from core.channels import queries
from core.channels.model import LocationKind as LocationKindValue
from schema.channels.types import Channel, Location, LocationKind
from schema.context import Context

Info = strawberry.Info[Context, None]


@strawberry.type
class ChannelsQuery:
    @strawberry.field(description="Every channel the retailer sells in.")
    async def channels(self, info: Info) -> list[Channel]:
        async with info.context.runtime.reads.connect() as connection:
            found = await queries.all_channels(connection)
        return [Channel.from_model(channel) for channel in found]

    @strawberry.field(
        description="One channel by slug; without a slug, the request's channel "
        "(Omnicart-Channel header or the default). Unknown slugs are an error."
    )
    async def channel(self, info: Info, slug: str | None = None) -> Channel:
        return Channel.from_model(await info.context.channel(slug))

    @strawberry.field(description="Warehouses and stores, optionally of one kind.")
    async def locations(
        self,
        info: Info,
        kind: LocationKind | None = None,  # type: ignore[valid-type]  # strawberry enum
    ) -> list[Location]:
        async with info.context.runtime.reads.connect() as connection:
            found = await queries.all_locations(
                connection, kind=LocationKindValue(kind) if kind else None
            )
        return [Location.from_model(location) for location in found]
