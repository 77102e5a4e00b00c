"""Catalog reads, returning model values: the API layer and the loaders reach them here.

Each lives in its topic module: ``product_list`` (the listing: a page of a channel's
products), ``product_lookup`` (products by id or slug: the product page), and the
batch reads loaders use, ``priced_variants``, ``product_relations`` (images, listings)
and ``category_tree``. ``channel_products`` says what a channel shows of a product;
``bundles`` puts a product together with the relations a reader asked for.

Hot reads (listing, product page) load a whole selection in a constant number of
statements: one for the products, then one per relation the caller includes
(variants with their channel prices, images, categories), whatever the page size.
"""

from __future__ import annotations

from core.catalog.category_tree import (
    all_categories,
    categories_by_id,
    categories_by_parent_id,
    category_by_slug,
)
from core.catalog.priced_variants import variants_by_id, variants_by_product_id
from core.catalog.product_list import list_products
from core.catalog.product_lookup import products_by_id, products_where
from core.catalog.product_relations import images_by_product_id, listings_by_product_id

__all__ = [
    "all_categories",
    "categories_by_id",
    "categories_by_parent_id",
    "category_by_slug",
    "images_by_product_id",
    "list_products",
    "listings_by_product_id",
    "products_by_id",
    "products_where",
    "variants_by_id",
    "variants_by_product_id",
]
