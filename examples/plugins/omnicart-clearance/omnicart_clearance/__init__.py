"""Clearance pricing: a fixed amount off a list of SKUs, in the channels that enable it.

Enable it per channel with settings such as
``{"amount_off": "5.00", "skus": ["DMO-0001-BLK-34"]}``; the amount is in the
channel's currency and never takes a price below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from omnicart import Money, PriceAdjustment, PriceLine, PricingContext, hookimpl


@dataclass(frozen=True, slots=True)
class ClearanceSettings:
    amount_off: str
    skus: list[str] = field(default_factory=list)
    label: str = "Clearance"


settings_class = ClearanceSettings


@hookimpl
def omnicart_price_lines(
    context: PricingContext, lines: Sequence[PriceLine], settings: ClearanceSettings
) -> list[PriceAdjustment]:
    amount_off = Money.parse(settings.amount_off, context.channel.currency)
    on_clearance = set(settings.skus)
    return [
        PriceAdjustment(line.key, -min(amount_off, line.unit_price), settings.label)
        for line in lines
        if line.sku in on_clearance
    ]
