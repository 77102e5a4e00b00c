"""What the request's DataLoaders are: one per relation and direction, holding core values.

The loaders themselves are built by each domain (``schema/<domain>/loaders.py``) and
composed by the app (``schema.app.build_loaders``), which hands the context the
factory. So the context names no domain module, and the types, which reach the
loaders through the context, import nothing that imports them back. The loaders
return core values in key order; the types map them (``Product.from_model``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from core.catalog.model import Category, PricedVariant, Product, ProductImage
from core.channels.model import Channel, SupplyingLocation
from core.inventory.model import ShownAvailability
from core.inventory.pickup import StoreStock
from core.orders.model import FulfilmentAt, PickupAt
from core.orders.return_model import Refund, ReturnIn
from core.runtime import Runtime

# A channel-dependent loader's key: (channel id, the object's id).
ChannelKey = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Loaders:
    """One DataLoader per relation and direction, created per request."""

    products_by_id: DataLoader[ChannelKey, Product | None]
    variants_by_product_id: DataLoader[ChannelKey, list[PricedVariant]]
    variants_by_id: DataLoader[ChannelKey, PricedVariant | None]
    images_by_product_id: DataLoader[int, list[ProductImage]]
    categories_by_id: DataLoader[int, Category | None]
    categories_by_parent_id: DataLoader[int, list[Category]]
    supply_by_channel_id: DataLoader[int, list[SupplyingLocation]]
    availability_by_variant_id: DataLoader[ChannelKey, ShownAvailability]
    in_stock_by_product_id: DataLoader[ChannelKey, bool]
    pickup_stock_by_variant_id: DataLoader[ChannelKey, list[StoreStock]]
    fulfilments_by_order_id: DataLoader[int, list[FulfilmentAt]]
    pickups_by_order_id: DataLoader[int, list[PickupAt]]
    returns_by_order_id: DataLoader[int, list[ReturnIn]]
    refunds_by_order_id: DataLoader[int, list[Refund]]


# Builds a request's loaders from the runtime and the request's resolved channels
# (loaders run only after the channel they key on was resolved).
LoadersFactory = Callable[[Runtime, Callable[[int], Channel]], Loaders]
