"""Shared test helpers: data made through the real services, with explicit arguments and
plain defaults, and the few tools several test modules use.

Each factory opens its own unit of work on the runtime, so what it returns is committed
and visible to the app under test. A helper that one test module uses stays in that
module; one that two or more use lives here, in the topic module below, and is
imported from ``tests.factories``.
"""

from omnicart.kit.checkout import CART, CREATE
from omnicart.kit.database import empty_tables as truncate
from tests.factories.accounts import bearer, log_in_customer, make_customer, staff_token
from tests.factories.carts import (
    ADD,
    CLEAR,
    READ,
    Store,
    create,
    make_store,
    variant_gid,
)
from tests.factories.catalog import MadeProduct, make_category, make_product
from tests.factories.channels import make_channel, make_location
from tests.factories.clock import FROZEN_AT
from tests.factories.events import (
    CART_TOPIC,
    DELIVERY_TIMEOUT,
    CartChanged,
    StoredEvent,
    stored_events,
)
from tests.factories.graphql import GraphQLClient, bare_context
from tests.factories.inventory import (
    Shop,
    Stored,
    availability,
    count_stock,
    listed_stock,
    make_shop,
    stored,
)
from tests.factories.omnichannel import PASSWORD, Rows, World, make_world, read_rows
from tests.factories.outage import postgres_dsn, terminate_backends
from tests.factories.plugins import FailingPlugin
from tests.factories.rows import row_counts
from tests.factories.servers import (
    PUSH_TIMEOUT,
    free_port,
    receive,
    start_server,
    wait_until_healthy,
)
from tests.factories.statements import StatementCounter

__all__ = [
    "ADD",
    "CART",
    "CART_TOPIC",
    "CLEAR",
    "CREATE",
    "DELIVERY_TIMEOUT",
    "FROZEN_AT",
    "PASSWORD",
    "PUSH_TIMEOUT",
    "READ",
    "CartChanged",
    "FailingPlugin",
    "GraphQLClient",
    "MadeProduct",
    "Rows",
    "Shop",
    "StatementCounter",
    "Store",
    "Stored",
    "StoredEvent",
    "World",
    "availability",
    "bare_context",
    "bearer",
    "count_stock",
    "create",
    "free_port",
    "listed_stock",
    "log_in_customer",
    "make_category",
    "make_channel",
    "make_customer",
    "make_location",
    "make_product",
    "make_shop",
    "make_store",
    "make_world",
    "postgres_dsn",
    "read_rows",
    "receive",
    "row_counts",
    "staff_token",
    "start_server",
    "stored",
    "stored_events",
    "terminate_backends",
    "truncate",
    "variant_gid",
    "wait_until_healthy",
]
