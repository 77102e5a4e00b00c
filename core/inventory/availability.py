"""Channel availability as shoppers see it: summed stock, the availability hook, display.

The one function GraphQL (and later subscriptions) call: it reads the stock of the
channel's supplying locations, lets the channel's plugins hold units back
(``omnicart_variant_availability``: each may lower, the minimum wins) and applies the
channel's display rule (exact quantities, or only a status).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.channels.model import Channel
from core.hooks import AvailabilityContext
from core.ids import VariantId
from core.inventory import queries
from core.inventory.model import ShownAvailability, shown_availability
from core.plugin_host import PluginHost
from core.reads import ReadConnection


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
    quantities = await plugins.available_quantities(AvailabilityContext(channel=channel), summed)
    display, threshold = channel.stock_display, channel.low_stock_threshold
    return {
        variant_id: shown_availability(
            variant_id, quantity, stock_display=display, low_stock_threshold=threshold
        )
        for variant_id, quantity in quantities.items()
    }
