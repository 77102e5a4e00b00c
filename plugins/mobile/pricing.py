"""The app discount: a percentage off every line's unit price."""

from __future__ import annotations

from collections.abc import Sequence

from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from plugins.mobile.settings import MobileSettings


@hookimpl
def omnicart_price_lines(
    context: PricingContext, lines: Sequence[PriceLine], settings: MobileSettings
) -> list[PriceAdjustment] | None:
    if settings.app_discount_basis_points == 0:
        return None
    return [
        PriceAdjustment(
            line_key=line.key,
            amount_per_unit=-line.unit_price.percentage(settings.app_discount_basis_points),
            label=settings.label,
        )
        for line in lines
    ]
