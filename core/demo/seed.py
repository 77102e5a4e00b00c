"""Writing the demo retailer into the database: ``omnicart seed --demo`` and ``serve --demo``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select

from core.catalog.import_batches import ids_by_key
from core.catalog.import_data import ImportSummary
from core.catalog.importer import import_catalog
from core.catalog.tables import ProductRow, VariantRow
from core.channels.tables import LocationRow
from core.clock import FrozenClock
from core.db import table_of
from core.demo.catalog import DEMO_BASE_TIME, demo_catalog
from core.demo.stock import DEMO_STOCK_ACTOR, DEMO_STOCK_REASON, DemoStock, demo_stock
from core.ids import LocationId, VariantId
from core.inventory.input_checks import MAX_COUNTS
from core.inventory.model import StockCount
from core.inventory.services import count_stock
from core.runtime import Runtime

logger = logging.getLogger(__name__)


async def seed_demo(runtime: Runtime, *, only_if_empty: bool = True) -> str:
    """Write the demo catalog and return a one-line summary of what was written.

    With ``only_if_empty`` nothing is written when any product exists. Raises
    DomainError (DUPLICATE_SLUG, ...) when demo rows already exist and
    ``only_if_empty`` is false, or when another process seeds at the same moment.
    """
    if only_if_empty:
        async with runtime.uow() as uow:
            any_product = await uow.session.scalar(select(ProductRow.id).limit(1))
        if any_product is not None:
            logger.info("demo not seeded reason=catalog_not_empty")
            return "catalog not empty; demo not seeded"
    catalog = demo_catalog()
    summary = await import_catalog(runtime.uow(), catalog)
    stock = demo_stock(catalog)
    await _count_stock(runtime, stock)
    units = sum(item.quantity for item in stock)
    logger.info(
        "demo seeded products=%d variants=%d stock_levels=%d units=%d",
        summary.products,
        summary.variants,
        len(stock),
        units,
    )
    return describe(summary, stock_levels=len(stock), units=units)


def describe(summary: ImportSummary, *, stock_levels: int = 0, units: int = 0) -> str:
    return (
        f"seeded demo: {summary.channels} channels, {summary.locations} locations, "
        f"{summary.categories} categories, {summary.products} products, "
        f"{summary.variants} variants, {stock_levels} stock levels ({units} units)"
    )


async def _count_stock(runtime: Runtime, stock: Sequence[DemoStock]) -> None:
    """The opening stock, counted at each location by the inventory service staff use.

    So every level has its ``SET`` movement naming the cause, and ``StockChanged``
    events go out as for any count. Counted at the demo's base time, so a seed is
    identical whenever it runs.
    """
    async with runtime.uow() as uow:
        variant_ids = await ids_by_key(
            uow.session, table_of(VariantRow), "sku", {item.sku for item in stock}
        )
        location_ids = await ids_by_key(
            uow.session, table_of(LocationRow), "slug", {item.location_slug for item in stock}
        )
    counts: dict[str, list[StockCount]] = {}
    for item in stock:
        counts.setdefault(item.location_slug, []).append(
            StockCount(VariantId(variant_ids[item.sku]), item.quantity)
        )
    at_base_time = replace(runtime, clock=FrozenClock(DEMO_BASE_TIME))
    for slug, location_counts in counts.items():
        for start in range(0, len(location_counts), MAX_COUNTS):
            await count_stock(
                at_base_time.uow(),
                location_id=LocationId(location_ids[slug]),
                counts=location_counts[start : start + MAX_COUNTS],
                reason=DEMO_STOCK_REASON,
                actor=DEMO_STOCK_ACTOR,
            )
