"""The demo's opening stock: how many units of each variant every location holds."""

from __future__ import annotations

import random
from dataclasses import dataclass

from core.catalog.import_data import CatalogData
from core.channels.model import LocationKind
from core.demo.catalog import DEMO_RANDOM_SEED

DEMO_STOCK_SEED = DEMO_RANDOM_SEED + 1  # its own sequence: the catalog stays as it was
DEMO_STOCK_ACTOR = "demo seed"
DEMO_STOCK_REASON = "Opening stock count"
SOLD_OUT_EVERY = 60  # one variant in 60 is sold out everywhere, another left in one store


@dataclass(frozen=True, slots=True)
class DemoStock:
    sku: str
    location_slug: str
    quantity: int


def demo_stock(catalog: CatalogData) -> list[DemoStock]:
    """On-hand stock of every variant in every location; the same list on every call.

    The warehouse holds 8-60 of most variants; stores hold 4-12. About one variant in
    ten is scarce (1-3) or sold out at the warehouse, and about one in three is
    scarce or sold out in any one store, so availability and pickup differ by store.
    One variant in ``SOLD_OUT_EVERY`` is sold out everywhere and another has its
    last one or two units in one store only.
    """
    rng = random.Random(DEMO_STOCK_SEED)
    stock: list[DemoStock] = []
    variants = [variant for product in catalog.products for variant in product.variants]
    last_store = catalog.locations[-1].slug
    for index, variant in enumerate(variants):
        for location in catalog.locations:
            warehouse = location.kind is LocationKind.WAREHOUSE
            quantity = _quantity(rng, warehouse)
            if index % SOLD_OUT_EVERY == SOLD_OUT_EVERY - 1:
                quantity = 0  # sold out everywhere
            elif index % SOLD_OUT_EVERY == SOLD_OUT_EVERY // 2:
                # The last units, in one store only: LOW_STOCK online, pickup there.
                quantity = 1 + index % 2 if location.slug == last_store else 0
            stock.append(DemoStock(variant.sku, location.slug, quantity))
    return stock


def _quantity(rng: random.Random, warehouse: bool) -> int:
    roll = rng.random()
    if warehouse:
        if roll < 0.04:
            return 0
        if roll < 0.10:
            return rng.randint(1, 3)
        return rng.randint(8, 60)
    if roll < 0.15:
        return 0
    if roll < 0.35:
        return rng.randint(1, 3)
    return rng.randint(4, 12)
