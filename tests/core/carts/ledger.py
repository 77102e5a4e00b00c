"""What the state machine put into stock and took out of it, per variant: the other
side of the reconciliation the machine checks after every step (machine.py).

For every variant, the units on hand at all locations must equal what the shop
started with, plus the staff's adjustments (counts, till sales), less what left
with fulfilments (shipped or collected), plus the returned units received with
RESTOCK (back on hand where they were received; written-off units never come back
on hand). Units held by carts, orders and other
reservations are part of on hand, so they need no term of their own; the invariant
checks them against their reservations per stock row instead. Transfers move units
between locations and leave the sum alone.

Each movement is one named term of ``terms``, written where the machine makes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from core.ids import VariantId


@dataclass
class StockLedger:
    # On hand at all locations when the shop opened.
    initial: dict[VariantId, int]
    # Counts and till sales the machine made (a count adds its difference).
    adjusted: dict[VariantId, int] = field(default_factory=lambda: defaultdict(int))
    # Units that left with fulfilments, per order (rows must say the same).
    shipped: dict[int, dict[VariantId, int]] = field(default_factory=dict)
    # Returned units received with RESTOCK (return_rules.py), at any location.
    restocked: dict[VariantId, int] = field(default_factory=lambda: defaultdict(int))

    def adjust(self, variant_id: VariantId, units: int) -> None:
        self.adjusted[variant_id] += units

    def ship(self, order_id: int, variant_id: VariantId, units: int) -> None:
        by_variant = self.shipped.setdefault(order_id, {})
        by_variant[variant_id] = by_variant.get(variant_id, 0) + units

    def restock(self, variant_id: VariantId, units: int) -> None:
        self.restocked[variant_id] += units

    def shipped_of(self, variant_id: VariantId) -> int:
        return sum(by_variant.get(variant_id, 0) for by_variant in self.shipped.values())

    def terms(self, variant_id: VariantId) -> dict[str, int]:
        """The signed terms whose sum is the variant's expected on-hand total."""
        return {
            "initial": self.initial.get(variant_id, 0),
            "adjusted": self.adjusted.get(variant_id, 0),
            "shipped": -self.shipped_of(variant_id),
            "restocked": self.restocked.get(variant_id, 0),
        }

    def expected_on_hand(self, variant_id: VariantId) -> int:
        return sum(self.terms(variant_id).values())
