"""Settings of the web shop adapter, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebSettings:
    # A shop-wide sale: 2000 = 20 % off every line; 0 = no sale.
    sale_basis_points: int = 0
    sale_label: str = "Sale"
    # Only SKUs starting with one of these take part; empty = every SKU.
    sale_sku_prefixes: list[str] | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.sale_basis_points <= 10_000:
            raise ValueError("sale_basis_points must be between 0 and 10000")
