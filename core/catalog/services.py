"""Catalog use cases: categories, products, variants, listings and prices.

The API layer reaches them here; each lives in its topic module: ``categories``,
``products`` (with images), ``variants`` and ``listings`` (listings and prices per
channel). ``product_changes`` says how every change to a product locks its row and
keeps its search text current.

Update services take each changeable field as ``T | Unset`` (``core.unset``); a
field left ``UNSET`` keeps its value and ``None`` clears an optional one.

Problems name fields as the API's input does: ``channel`` for a channel id, ``id``
for the object an update service changes.
"""

from __future__ import annotations

from core.catalog.categories import create_category, update_category
from core.catalog.listings import remove_variant_price, set_listing, set_variant_price
from core.catalog.products import NewImage, create_product, update_product
from core.catalog.variants import create_variant, update_variant

__all__ = [
    "NewImage",
    "create_category",
    "create_product",
    "create_variant",
    "remove_variant_price",
    "set_listing",
    "set_variant_price",
    "update_category",
    "update_product",
    "update_variant",
]
