"""The ``product_search`` rows: the text product search matches, kept current on each change."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from core.catalog.tables import ProductListingRow, ProductRow, ProductSearchRow, VariantRow
from core.db import table_of
from core.db.upsert import upsert
from core.ids import ProductId
from core.uow import UnitOfWork

_products = table_of(ProductRow)
_variants = table_of(VariantRow)
_listings = table_of(ProductListingRow)
_search = table_of(ProductSearchRow)


async def refresh_product_search(uow: UnitOfWork, product_ids: Collection[ProductId]) -> None:
    """Rewrite the products' ``product_search`` rows from what is stored now.

    ``name`` is the product's name plus every listing's name override, ``skus``
    every variant's SKU, ``description`` the product's description. Called inside
    the transaction of each change to a product, its variants or its listings.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return
    session = uow.session
    products = (
        await session.execute(
            select(_products.c.id, _products.c.name, _products.c.description).where(
                _products.c.id.in_(ids)
            )
        )
    ).all()
    names: dict[int, list[str]] = {product.id: [product.name] for product in products}
    overrides = await session.execute(
        select(_listings.c.product_id, _listings.c.name)
        .where(_listings.c.product_id.in_(ids), _listings.c.name.is_not(None))
        .order_by(_listings.c.product_id, _listings.c.channel_id)
    )
    for product_id, name in overrides.all():
        names[product_id].append(name)
    skus: dict[int, list[str]] = {product.id: [] for product in products}
    variants = await session.execute(
        select(_variants.c.product_id, _variants.c.sku)
        .where(_variants.c.product_id.in_(ids))
        .order_by(_variants.c.product_id, _variants.c.position, _variants.c.id)
    )
    for product_id, sku in variants.all():
        skus[product_id].append(sku)
    rows = [
        {
            "product_id": product.id,
            # dict.fromkeys: an override equal to the name would only weigh it twice.
            "name": " ".join(dict.fromkeys(names[product.id])),
            "skus": " ".join(skus[product.id]),
            "description": product.description,
        }
        for product in products
    ]
    if rows:
        await upsert(session, _search, rows, keys=("product_id",))
