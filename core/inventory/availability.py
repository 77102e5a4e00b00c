"""Channel availability as shoppers see it: summed stock, the availability hook, display.

The one function GraphQL (and later subscriptions) call: it reads the stock of the
channel's supplying locations, lets the channel's plugins hold units back
(``omnicart_variant_availability``: each may lower, the minimum wins) and applies the
channel's display rule (exact quantities, or only a status). A listing reads the stock
with its variants and passes it summed to ``shown_from_stock``, the second half.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from core.channels.model import Channel
from core.db.reads import ReadConnection
from core.hooks import AvailabilityContext
from core.ids import VariantId
from core.inventory import queries
from core.inventory.model import ShownAvailability, shown_availabilities
from core.plugin_host import PluginHost


async def channel_availability(
    connection: ReadConnection,
    plugins: PluginHost,
    *,
    channel: Channel,
    variant_ids: Sequence[VariantId],
    now: datetime,
) -> dict[VariantId, ShownAvailability]:
    """Per variant: status, and quantity where the channel shows quantities."""
    summed = await queries.channel_quantities(
        connection, channel_id=channel.id, variant_ids=variant_ids, now=now
    )
    return await shown_from_stock(plugins, channel=channel, summed=summed)


async def shown_from_stock(
    plugins: PluginHost, *, channel: Channel, summed: Mapping[VariantId, int]
) -> dict[VariantId, ShownAvailability]:
    """What the channel shows of stock already summed over its locations (a listing's).

    The same hook call and display rule as ``channel_availability``: one call per batch.
    """
    quantities = await plugins.available_quantities(AvailabilityContext(channel=channel), summed)
    return shown_availabilities(
        quantities,
        stock_display=channel.stock_display,
        low_stock_threshold=channel.low_stock_threshold,
    )
