"""Writing the demo retailer into the database: ``omnicart seed --demo`` and ``serve --demo``."""

from __future__ import annotations

import logging

from sqlalchemy import select

from core.catalog.import_batches import ids_by_key, insert_rows
from core.catalog.import_data import ImportSummary
from core.catalog.importer import import_catalog
from core.catalog.tables import ProductRow, VariantRow
from core.channels.tables import LocationRow
from core.db import table_of
from core.demo.catalog import DEMO_BASE_TIME, demo_catalog
from core.demo.stock import DEMO_STOCK_ACTOR, DEMO_STOCK_REASON, DemoStock, demo_stock
from core.inventory.model import MovementKind
from core.inventory.tables import StockLevelRow, StockMovementRow
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
    await _write_stock(runtime, stock)
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


async def _write_stock(runtime: Runtime, stock: list[DemoStock]) -> None:
    """Stock levels and their opening movements, in one transaction like the importer.

    Timestamps are the demo's fixed base time, so a seed is identical whenever it runs.
    """
    async with runtime.uow() as uow:
        session = uow.session
        variant_ids = await ids_by_key(
            session, table_of(VariantRow), "sku", {item.sku for item in stock}
        )
        location_ids = await ids_by_key(
            session, table_of(LocationRow), "slug", {item.location_slug for item in stock}
        )
        keyed = [
            (variant_ids[item.sku], location_ids[item.location_slug], item.quantity)
            for item in stock
        ]
        levels = [
            {
                "variant_id": variant_id,
                "location_id": location_id,
                "on_hand": quantity,
                "reserved": 0,
                "version": 0,
                "updated_at": DEMO_BASE_TIME,
            }
            for variant_id, location_id, quantity in keyed
        ]
        movements = [
            {
                "variant_id": variant_id,
                "location_id": location_id,
                "kind": MovementKind.SET.value,
                "delta": quantity,
                "on_hand_after": quantity,
                "reason": DEMO_STOCK_REASON,
                "actor": DEMO_STOCK_ACTOR,
                "created_at": DEMO_BASE_TIME,
            }
            for variant_id, location_id, quantity in keyed
            if quantity > 0
        ]
        await insert_rows(session, StockLevelRow, levels)
        await insert_rows(session, StockMovementRow, movements)
        await uow.commit()
