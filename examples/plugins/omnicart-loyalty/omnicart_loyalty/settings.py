"""The loyalty programme's settings in one channel, checked when staff enable it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# The cart attribute a shopper (or the till) sets to spend points: a whole number.
REDEEM_ATTRIBUTE = "loyalty.redeemPoints"
# The name channels enable the plugin by (its entry point); adjustments carry it.
PLUGIN_NAME = "loyalty"


@dataclass(frozen=True, slots=True)
class LoyaltySettings:
    """``points_per_unit``: points earned per whole unit of the channel's currency an
    order totals (0 earns nothing there); ``point_value``: what one point takes off a
    price, a decimal string in the channel's currency; ``label``: the adjustment's
    label shoppers see."""

    points_per_unit: int = 1
    point_value: str = "0.01"
    label: str = "Loyalty points"

    def __post_init__(self) -> None:
        if self.points_per_unit < 0:
            raise ValueError("points_per_unit must be 0 or more")
        try:
            value = Decimal(self.point_value)
        except InvalidOperation:
            raise ValueError("point_value must be a decimal amount such as '0.01'") from None
        if not value.is_finite() or value <= 0:
            raise ValueError("point_value must be a positive amount such as '0.01'")
        if not self.label.strip():
            raise ValueError("label must not be empty")
