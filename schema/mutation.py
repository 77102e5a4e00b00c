"""The ``Mutation`` root: every domain's mutations, each needing a staff scope."""

from __future__ import annotations

import strawberry

from schema.catalog.mutations import CatalogMutation
from schema.channels.mutations import ChannelsMutation
from schema.inventory.mutations import InventoryMutation


@strawberry.type
class Mutation(CatalogMutation, ChannelsMutation, InventoryMutation):
    pass
