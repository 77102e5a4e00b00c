"""Settings of the web shop adapter, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass

from core.delivery.standard import DeliverySettings


@dataclass(frozen=True, slots=True)
class WebSettings(DeliverySettings):
    """Pricing (a sale) and delivery (``DeliverySettings``: home delivery price table,
    free threshold, estimate, click and collect preparation and transfer times)."""

    # A shop-wide sale: 2000 = 20 % off every line; 0 = no sale.
    sale_basis_points: int = 0
    sale_label: str = "Sale"
    # Only SKUs starting with one of these take part; empty = every SKU.
    sale_sku_prefixes: list[str] | None = None

    def __post_init__(self) -> None:
        DeliverySettings.__post_init__(self)
        if not 0 <= self.sale_basis_points <= 10_000:
            raise ValueError("sale_basis_points must be between 0 and 10000")
