"""``node(id)``: any object by its global ID, through the request's loaders."""

from __future__ import annotations

import strawberry

from core.channels import queries as channel_queries
from core.errors import DomainError
from schema.catalog.types import Category, Product, ProductVariant
from schema.channels.types import Channel, Location
from schema.context import Context
from schema.customers.types import Customer
from schema.errors import bad_input
from schema.relay import Node, from_global_id

Info = strawberry.Info[Context, None]

NODE_TYPES = ("Product", "ProductVariant", "Category", "Channel", "Location", "Customer")


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null when it is not visible.")
    async def node(
        self,
        info: Info,
        id: strawberry.ID,
        channel: str | None = None,
    ) -> Node | None:
        try:
            type_name, key = from_global_id(id, *NODE_TYPES)
        except DomainError as error:
            raise bad_input(error) from None
        context = info.context
        loaders = context.loaders
        if type_name == "Product":
            resolved = await context.channel(channel)
            product = await loaders.products_by_id.load((resolved.id, key))
            return Product.from_model(product, resolved.id) if product is not None else None
        if type_name == "ProductVariant":
            resolved = await context.channel(channel)
            variant = await loaders.variants_by_id.load((resolved.id, key))
            return ProductVariant.from_priced(variant, resolved.id) if variant is not None else None
        if type_name == "Category":
            category = await loaders.categories_by_id.load(key)
            return Category.from_model(category) if category is not None else None
        if type_name == "Customer":
            # Customers are private: only the logged-in customer resolves, to themself.
            customer = await context.customer()
            return Customer.from_model(customer) if customer and customer.id == key else None
        async with context.runtime.reads.connect() as connection:
            if type_name == "Channel":
                channels = await channel_queries.channels_by_id(connection, [key])
                return Channel.from_model(channels[key]) if key in channels else None  # type: ignore[index]
            locations = await channel_queries.locations_by_id(connection, [key])
            return Location.from_model(locations[key]) if key in locations else None  # type: ignore[index]
