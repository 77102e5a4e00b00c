"""The strawberry schema with its protections (depth, aliases, tokens, caches, errors)."""

from __future__ import annotations

import functools
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types import ExecutionContext as StrawberryExecutionContext

from core.config import Settings
from schema.carts.queries import CartQuery
from schema.carts.subscriptions import CartSubscription
from schema.catalog.queries import CatalogQuery
from schema.catalog.types import Category, Product, ProductVariant
from schema.channels.queries import ChannelsQuery
from schema.channels.types import Channel, Location
from schema.customers.queries import CustomersQuery
from schema.customers.types import Customer
from schema.execution import FastExecutionContext
from schema.inventory.queries import InventoryQuery
from schema.inventory.subscriptions import InventorySubscription
from schema.mutation import Mutation
from schema.node import NodeQuery
from schema.orders.queries import OrdersQuery
from schema.orders.subscriptions import OrderSubscription
from schema.protection import DocumentCaches, Protection
from schema.webhooks.queries import WebhooksQuery

# Parsed and validated documents kept per schema (bounded LRU).
CACHE_SIZE = 512


@strawberry.type
class Query(
    CartQuery,
    CatalogQuery,
    ChannelsQuery,
    CustomersQuery,
    InventoryQuery,
    NodeQuery,
    OrdersQuery,
    WebhooksQuery,
):
    pass


@strawberry.type
class Subscription(CartSubscription, InventorySubscription, OrderSubscription):
    pass


class _CachedNames(NameConverter):
    """Strawberry's names, each worked out once.

    Strawberry converts every argument name of every resolved field on each request
    (``to_camel_case``, a regular expression): about 3% of a product page's CPU. The
    answer depends on the name alone.
    """

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one converter per process
    def apply_naming_config(self, name: str) -> str:
        return super().apply_naming_config(name)


class OmnicartSchema(strawberry.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: StrawberryExecutionContext | None = None,
    ) -> None:
        # CodedErrors logs what is unexpected; client mistakes are not server errors.
        return None


def build_schema(
    settings: Settings,
    *,
    # None (or StrawberryGraphQLCoreExecutionContext) is strawberry's own executor.
    execution_context_class: type[Any] | None = FastExecutionContext,
    mutation: type[Any] | None = Mutation,
) -> strawberry.Schema:
    # Built once per schema: the validation cache keys on the rule classes too.
    rules: tuple[type[ASTValidationRule], ...] = (
        depth_validator(settings.max_query_depth, None, None),
        aliases_validator(settings.max_aliases),
    )
    caches = DocumentCaches.bounded(CACHE_SIZE)
    return OmnicartSchema(
        query=Query,
        mutation=mutation,
        subscription=Subscription,
        types=[Product, ProductVariant, Category, Channel, Location, Customer],
        # A factory: strawberry builds a fresh extension per request.
        extensions=[lambda: Protection(max_tokens=settings.max_tokens, rules=rules, caches=caches)],
        execution_context_class=execution_context_class,
        config=StrawberryConfig(name_converter=_CachedNames()),
    )
