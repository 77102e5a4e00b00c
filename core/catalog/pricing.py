"""Prices a shopper sees: base channel prices passed through the pricing hook."""

from __future__ import annotations

from collections.abc import Sequence

from core.catalog.model import Variant
from core.channels.model import Channel
from core.hooks import PriceLine, PricingContext
from core.money import Money
from core.plugin_host import PluginHost


async def price_variants(
    plugins: PluginHost,
    channel: Channel,
    variants: Sequence[Variant],
    *,
    customer_id: int | None = None,
) -> list[Money | None]:
    """Unit prices for a batch of variants, in their order: one pricing-hook call.

    A variant with no price in the channel is not for sale there: it gets no price
    and is not shown to plugins. Raises ``PluginError`` when a plugin fails.
    """
    if not plugins.prices_lines(channel):
        # The common case on hot reads: no pricing plugin, base prices are final.
        return [variant.base_price for variant in variants]
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
    by_key = {result.line.key: result.unit_price for result in priced}
    return [by_key.get(str(variant.id)) for variant in variants]
