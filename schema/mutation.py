"""The ``Mutation`` root: every domain's mutations (staff ones need a scope)."""

from __future__ import annotations

import strawberry

from schema.carts.mutations import CartMutation
from schema.catalog.mutations import CatalogMutation
from schema.channels.mutations import ChannelsMutation
from schema.inventory.mutations import InventoryMutation


@strawberry.type
class Mutation(CartMutation, CatalogMutation, ChannelsMutation, InventoryMutation):
    pass
