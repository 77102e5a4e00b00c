"""Prices a shopper sees: base channel prices passed through the pricing hook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.catalog.model import Variant
from core.channels.model import Channel
from core.hooks import PriceLine, PricingContext
from core.money import Money
from core.plugin_host import AppliedAdjustment, PluginHost


@dataclass(frozen=True, slots=True)
class PricedVariant:
    variant: Variant
    price: Money | None
    adjustments: tuple[AppliedAdjustment, ...] = ()


async def price_variants(
    plugins: PluginHost,
    channel: Channel,
    variants: Sequence[Variant],
    *,
    customer_id: int | None = None,
) -> list[PricedVariant]:
    """Unit prices for a batch of variants: one pricing-hook call for the whole batch.

    A variant with no price in the channel is not for sale there: it gets no price
    and is not shown to plugins. Raises ``PluginError`` when a plugin fails.
    """
    if not plugins.implements("omnicart_price_lines", channel):
        # The common case on hot reads: no pricing plugin, base prices are final.
        return [PricedVariant(variant, variant.base_price) for variant in variants]
    lines = [
        PriceLine(
            key=str(variant.id),
            variant_id=variant.id,
            product_id=variant.product_id,
            sku=variant.sku,
            quantity=1,
            unit_price=variant.base_price,
        )
        for variant in variants
        if variant.base_price is not None
    ]
    priced = await plugins.price_lines(
        PricingContext(channel=channel, customer_id=customer_id), lines
    )
    by_key = {result.line.key: result for result in priced}
    results: list[PricedVariant] = []
    for variant in variants:
        result = by_key.get(str(variant.id))
        if result is None:
            results.append(PricedVariant(variant, None))
        else:
            results.append(PricedVariant(variant, result.unit_price, result.adjustments))
    return results
