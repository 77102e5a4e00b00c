"""Settings of the marketplace adapter, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MarketplaceSettings:
    # The marketplace's commission passed on to the listed price: 800 = 8 % more.
    commission_markup_basis_points: int = 0
    label: str = "Marketplace commission"
    # Units of each variant never shown or sold on the marketplace (issue 4).
    safety_buffer_units: int = 0
    # The one delivery option: the marketplace delivers, at no cost to us (issue 13).
    delivery_title: str = "Delivered by the marketplace"
    # Signs the orders the marketplace posts to its webhook (issue 15): HMAC-SHA256 of
    # the body, header X-Marketplace-Signature. Empty: every posted order is refused.
    webhook_secret: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.commission_markup_basis_points <= 10_000:
            raise ValueError("commission_markup_basis_points must be between 0 and 10000")
        if not 0 <= self.safety_buffer_units <= 1_000_000:
            raise ValueError("safety_buffer_units must be between 0 and 1000000")
