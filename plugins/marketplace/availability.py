"""Marketplace availability: never show (or sell) the last ``safety_buffer_units`` units.

Marketplaces sync stock with a delay; holding a few units back keeps a sale made
there from overselling what a store sold meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.hooks import AvailabilityContext, hookimpl
from core.ids import VariantId
from plugins.marketplace.settings import MarketplaceSettings


@hookimpl
def omnicart_variant_availability(
    context: AvailabilityContext,
    quantities: Mapping[VariantId, int],
    settings: MarketplaceSettings,
) -> dict[VariantId, int] | None:
    if settings.safety_buffer_units == 0:
        return None
    return {
        variant_id: max(0, quantity - settings.safety_buffer_units)
        for variant_id, quantity in quantities.items()
    }
