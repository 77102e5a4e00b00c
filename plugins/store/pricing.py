"""Shelf-price endings for physical stores (129.99 rather than 131.40)."""

from __future__ import annotations

from collections.abc import Sequence

from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from core.money import Money, exponent_of
from plugins.store.settings import StoreSettings


def shelf_price(price: Money, ending: int) -> Money:
    """The highest price at or below ``price`` whose minor units end in ``ending``."""
    step = 10 ** exponent_of(price.currency)
    if step == 1:
        return price  # no minor units to shape (JPY and the like)
    units = price.minor_units
    candidate = units - units % step + ending
    if candidate > units:
        candidate -= step
    return Money(max(candidate, 0), price.currency)


@hookimpl
def omnicart_price_lines(
    context: PricingContext, lines: Sequence[PriceLine], settings: StoreSettings
) -> list[PriceAdjustment] | None:
    ending = settings.price_ending_minor_units
    if ending is None:
        return None
    adjustments = []
    for line in lines:
        difference = shelf_price(line.unit_price, ending) - line.unit_price
        if not difference.is_zero():
            adjustments.append(PriceAdjustment(line.key, difference, settings.label))
    return adjustments
