"""Marketplace listing prices: the base price plus the marketplace's commission."""

from __future__ import annotations

from collections.abc import Sequence

from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from plugins.marketplace.settings import MarketplaceSettings


@hookimpl
def omnicart_price_lines(
    context: PricingContext, lines: Sequence[PriceLine], settings: MarketplaceSettings
) -> list[PriceAdjustment] | None:
    if settings.commission_markup_basis_points == 0:
        return None
    return [
        PriceAdjustment(
            line_key=line.key,
            amount_per_unit=line.unit_price.percentage(settings.commission_markup_basis_points),
            label=settings.label,
        )
        for line in lines
    ]
