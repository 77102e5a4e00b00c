"""Live availability over graphql-transport-ws (issue 4, point 5).

The resolver parses its input and follows ``core.inventory.live.watch_availability``:
the current availability of every variant asked first, then a push per variant
whenever its availability in the channel, as precisely as the channel shows it,
changes (a reservation, release, sale, adjustment, transfer or swept expiry),
whichever server process made the change.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from core.errors import DomainError, ErrorCode
from core.ids import VariantId
from core.inventory.live import watch_availability
from schema.context import Context
from schema.errors import bad_input
from schema.inputs import decode_ids
from schema.inventory.types import VariantAvailability
from schema.relay import to_global_id


@strawberry.type(description="A variant's availability in the subscribed channel, as it is now.")
class VariantAvailabilityUpdate:
    variant_id: strawberry.ID
    availability: VariantAvailability


@strawberry.type
class InventorySubscription:
    @strawberry.subscription(
        description=(
            "The availability of the variants asked, in the channel given or the request's: "
            "first each one's current value, then a push whenever one changes as the channel "
            "shows it (a status-only channel pushes only status changes)."
        )
    )
    async def availability_changed(
        self,
        info: strawberry.Info[Context, None],
        variant_ids: list[strawberry.ID],
        channel: str | None = None,
    ) -> AsyncGenerator[VariantAvailabilityUpdate, None]:
        context = info.context
        maximum = context.runtime.settings.max_page_size
        if not 0 < len(variant_ids) <= maximum:
            message = f"variantIds must name between 1 and {maximum} variants"
            raise bad_input(DomainError.single(ErrorCode.INVALID, message, "variantIds"))
        try:
            keys = decode_ids(variant_ids, "ProductVariant", field="variantIds.{}")
        except DomainError as error:
            raise bad_input(error) from None
        found = await context.channel(channel)
        watched = [VariantId(key) for key in dict.fromkeys(keys)]
        updates = watch_availability(context.runtime, channel=found, variant_ids=watched)
        async with aclosing(updates):  # unsubscribes from the bus as soon as the client stops
            async for changed in updates:
                context.renew_loaders()
                for variant_id, shown in sorted(changed.items()):
                    yield VariantAvailabilityUpdate(
                        variant_id=strawberry.ID(to_global_id("ProductVariant", variant_id)),
                        availability=VariantAvailability.from_model(shown),
                    )
