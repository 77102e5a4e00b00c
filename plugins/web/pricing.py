"""Web shop sales: a percentage off, optionally limited to SKU prefixes."""

from __future__ import annotations

from collections.abc import Sequence

from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from plugins.web.settings import WebSettings


@hookimpl
def omnicart_price_lines(
    context: PricingContext, lines: Sequence[PriceLine], settings: WebSettings
) -> list[PriceAdjustment] | None:
    if settings.sale_basis_points == 0:
        return None
    prefixes = tuple(settings.sale_sku_prefixes or ())
    return [
        PriceAdjustment(
            line_key=line.key,
            amount_per_unit=-line.unit_price.percentage(settings.sale_basis_points),
            label=settings.sale_label,
        )
        for line in lines
        if not prefixes or line.sku.startswith(prefixes)
    ]
