"""Settings of the mobile adapter, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass

from core.delivery.standard import DeliverySettings


@dataclass(frozen=True, slots=True)
class MobileSettings(DeliverySettings):
    """The app discount and delivery: the web shop's options (``DeliverySettings``) plus
    reserve-in-store, paid at pick-up."""

    # 500 = 5 % off every line for shoppers in the app.
    app_discount_basis_points: int = 0
    label: str = "App discount"
    reserve_in_store_enabled: bool = True

    def __post_init__(self) -> None:
        DeliverySettings.__post_init__(self)
        if not 0 <= self.app_discount_basis_points <= 10_000:
            raise ValueError("app_discount_basis_points must be between 0 and 10000")
