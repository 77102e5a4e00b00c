"""What every change to a product, its variants or its listings does around it.

Services that change a product lock its row first (``lock_product``), so concurrent
changes to one product take turns and the search text is computed from committed
data. Each such change then refreshes the product's ``product_search`` row and
``updated_at`` in the same transaction (``product_changed``); a price change, which
the search text does not show, only touches ``updated_at`` (and ``version``, which the
product feeds' ETag reads).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.search_index import refresh_product_search
from core.catalog.tables import ProductRow, VariantRow
from core.db import table_of
from core.ids import ProductId, VariantId
from core.uow import UnitOfWork

_products = table_of(ProductRow)
_variants = table_of(VariantRow)


async def product_changed(uow: UnitOfWork, product_id: ProductId) -> None:
    await touch_product(uow, product_id)
    await refresh_product_search(uow, [product_id])


def changed_values(uow: UnitOfWork) -> dict[str, Any]:
    """What every change writes on the product's row: the time and the next version."""
    return {"updated_at": uow.clock.now(), "version": _products.c.version + 1}


async def touch_product(uow: UnitOfWork, product_id: ProductId) -> None:
    await uow.session.execute(
        update(_products).where(_products.c.id == product_id).values(**changed_values(uow))
    )


async def lock_product(
    session: AsyncSession, product_id: int | ScalarSelect[Any]
) -> ProductId | None:
    """Lock a product's row for this transaction; its id, or None when there is none.

    PostgreSQL takes the row lock (FOR UPDATE). SQLite has no row locks: there the
    unit of work's BEGIN IMMEDIATE already holds the database write lock
    (``core.db``), so everything read after it is current.
    """
    statement = select(_products.c.id).where(_products.c.id == product_id).with_for_update()
    found = (await session.execute(statement)).scalar_one_or_none()
    return ProductId(found) if found is not None else None


async def lock_product_of_variant(session: AsyncSession, variant_id: VariantId) -> ProductId | None:
    product_id = (
        select(_variants.c.product_id).where(_variants.c.id == variant_id).scalar_subquery()
    )
    return await lock_product(session, product_id)
