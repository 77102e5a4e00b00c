"""Settings of the physical store adapter, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass

from core.delivery.standard import DeliverySettings


@dataclass(frozen=True, slots=True)
class StoreSettings(DeliverySettings):
    """Shelf prices, and home delivery for the till's endless aisle
    (``DeliverySettings``; click and collect is off: the shopper is in the store)."""

    # Shelf prices end in these minor units (99 -> 129.99); None keeps prices as they are.
    # Prices are only ever rounded down, so a shelf label never exceeds the list price.
    price_ending_minor_units: int | None = None
    label: str = "Shelf price"
    click_and_collect_enabled: bool = False

    def __post_init__(self) -> None:
        DeliverySettings.__post_init__(self)
        ending = self.price_ending_minor_units
        if ending is not None and not 0 <= ending <= 99:
            raise ValueError("price_ending_minor_units must be between 0 and 99")
