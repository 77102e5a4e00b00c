"""Imports every domain's tables so ``core.db.metadata`` is complete (for Alembic)."""

from core.catalog import tables as catalog_tables
from core.channels import tables as channel_tables
from core.events import tables as event_tables
from core.inventory import tables as inventory_tables
from core.staff import tables as staff_tables

__all__ = ["catalog_tables", "channel_tables", "event_tables", "inventory_tables", "staff_tables"]
