"""Imports every domain's tables so ``core.db.metadata`` is complete (for Alembic)."""

from core import keys_table
from core.carts import tables as cart_tables
from core.catalog import tables as catalog_tables
from core.channels import tables as channel_tables
from core.customers import tables as customer_tables
from core.event_hooks import tables as event_hook_tables
from core.events import tables as event_tables
from core.feeds import tables as feed_tables
from core.inventory import tables as inventory_tables
from core.orders import return_tables
from core.orders import tables as order_tables
from core.staff import tables as staff_tables
from core.webhooks import tables as webhook_tables

__all__ = [
    "cart_tables",
    "catalog_tables",
    "channel_tables",
    "customer_tables",
    "event_hook_tables",
    "event_tables",
    "feed_tables",
    "inventory_tables",
    "keys_table",
    "order_tables",
    "return_tables",
    "staff_tables",
    "webhook_tables",
]
