"""The ``Mutation`` root: every domain's mutations.

Staff mutations need a scope (``schema.permissions``); customer account mutations are
public or need the customer's own session.
"""

from __future__ import annotations

import strawberry

from schema.carts.address_mutations import CartAddressMutation
from schema.carts.attribute_mutations import CartAttributeMutation
from schema.carts.mutations import CartMutation
from schema.catalog.mutations import CatalogMutation
from schema.channels.mutations import ChannelsMutation
from schema.customers.mutations import CustomersMutation
from schema.feeds.mutations import FeedsMutation
from schema.inventory.mutations import InventoryMutation
from schema.orders.fulfilment_mutations import FulfilmentMutation
from schema.orders.import_mutations import MarketplaceImportMutation
from schema.orders.mutations import OrdersMutation
from schema.orders.return_mutations import ReturnMutation
from schema.orders.till_mutations import TillMutation
from schema.webhooks.mutations import WebhooksMutation


@strawberry.type
class Mutation(
    CartMutation,
    CartAddressMutation,
    CartAttributeMutation,
    CatalogMutation,
    ChannelsMutation,
    CustomersMutation,
    FeedsMutation,
    InventoryMutation,
    OrdersMutation,
    FulfilmentMutation,
    ReturnMutation,
    MarketplaceImportMutation,
    TillMutation,
    WebhooksMutation,
):
    pass
