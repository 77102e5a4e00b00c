"""Catalog queries. ``products`` and ``product`` look ahead (DESIGN.md, Performance)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import strawberry

from core.catalog import queries
from core.catalog.model import (
    ProductBundle,
    ProductFilter,
    ProductInclude,
    ProductSort,
    ProductSortKey,
)
from core.catalog.pricing import price_variants
from core.channels.model import Channel
from core.errors import DomainError, ErrorCode
from core.ids import CategoryId, VariantId
from core.inventory.availability import shown_from_stock
from core.inventory.model import ShownAvailability, StockStatus
from schema.catalog.types import (
    Category,
    Product,
    ProductConnection,
    ProductEdge,
    ProductFilterInput,
    ProductSortInput,
    ProductVariant,
)
from schema.context import Context
from schema.errors import bad_input
from schema.lookahead import selected_paths, under
from schema.relay import PageInfo, decode_cursor, encode_cursor, from_global_id

Info = strawberry.Info[Context, None]


def _include(node_paths: frozenset[str], *, total_count: bool = False) -> ProductInclude:
    in_stock = "inStock" in node_paths
    return ProductInclude(
        variants=in_stock or "variants" in node_paths,
        images="images" in node_paths,
        category="category" in node_paths,
        total_count=total_count,
        availability=in_stock or "variants.availability" in node_paths,
    )


async def _availability(
    context: Context,
    channel: Channel,
    bundles: Sequence[ProductBundle],
    include: ProductInclude,
) -> dict[VariantId, ShownAvailability]:
    """Availability of every variant of the page, read with the variants: one hook call."""
    if not include.availability:
        return {}
    summed = {
        variant.id: stock
        for bundle in bundles
        for variant, stock in zip(bundle.variants, bundle.channel_stock, strict=True)
    }
    return await shown_from_stock(context.runtime.plugins, channel=channel, summed=summed)


async def _products(
    context: Context,
    channel: Channel,
    bundles: Sequence[ProductBundle],
    include: ProductInclude,
    availability: Mapping[VariantId, ShownAvailability],
) -> list[Product]:
    """Strawberry objects for loaded bundles, every variant priced in one hook call."""
    variants_by_product: dict[int, list[ProductVariant]] = {}
    in_stock: set[int] = set()
    if include.variants:
        variants = [variant for bundle in bundles for variant in bundle.variants]
        prices = await price_variants(context.runtime.plugins, channel, variants)
        for variant, price in zip(variants, prices, strict=True):
            available = availability.get(variant.id)
            if available is not None and available.status is not StockStatus.OUT_OF_STOCK:
                in_stock.add(variant.product_id)
            variants_by_product.setdefault(variant.product_id, []).append(
                ProductVariant.from_model(variant, price, channel.id, available)
            )
    return [
        Product.from_model(
            bundle.product,
            channel.id,
            variants=variants_by_product.get(bundle.product.id, []) if include.variants else None,
            images=bundle.images if include.images else None,
            category=bundle.category if include.category else None,
            in_stock=bundle.product.id in in_stock if include.availability else None,
        )
        for bundle in bundles
    ]


def _product_filter(value: ProductFilterInput | None) -> ProductFilter:
    if value is None:
        return ProductFilter()
    category_id = None
    if value.category is not None:
        _, number = from_global_id(value.category, "Category", field="filter.category")
        category_id = CategoryId(number)
    return ProductFilter(category_id=category_id, search=value.search, in_stock=value.in_stock)


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="Products published in the channel, one page at a time.")
    async def products(
        self,
        info: Info,
        channel: str | None = None,
        first: int = 20,
        after: str | None = None,
        filter: ProductFilterInput | None = None,
        sort: ProductSortInput | None = None,
    ) -> ProductConnection:
        context = info.context
        resolved = await context.channel(channel)
        try:
            maximum = context.runtime.settings.max_page_size
            if not 0 <= first <= maximum:
                raise DomainError.single(
                    ErrorCode.INVALID, f"first must be between 0 and {maximum}", "first"
                )
            product_filter = _product_filter(filter)
            key = ProductSortKey(sort.key) if sort else None
            if key is ProductSortKey.RELEVANCE and not product_filter.search:
                raise DomainError.single(ErrorCode.INVALID, "RELEVANCE needs a search", "sort")
            product_sort = ProductSort(key=key, reverse=sort.reverse if sort else False)
            effective_key = key or (
                ProductSortKey.RELEVANCE if product_filter.search else ProductSortKey.NAME
            )
            cursor = (
                decode_cursor(after, key=effective_key, reverse=product_sort.reverse)
                if after
                else None
            )
        except DomainError as error:
            raise bad_input(error) from None
        paths = selected_paths(info)
        include = _include(
            under(paths, "edges.node.") | under(paths, "nodes."), total_count="totalCount" in paths
        )
        async with context.runtime.reads.connect() as connection:
            page = await queries.list_products(
                connection,
                channel_id=resolved.id,
                first=first,
                after=cursor,
                product_filter=product_filter,
                sort=product_sort,
                include=include,
                now=context.runtime.clock.now(),
            )
        availability = await _availability(context, resolved, page.bundles, include)
        products = await _products(context, resolved, page.bundles, include, availability)
        edges = [
            ProductEdge(cursor=encode_cursor(bundle.cursor), node=product)
            for bundle, product in zip(page.bundles, products, strict=True)
        ]
        return ProductConnection(
            edges=edges,
            nodes=products,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )

    @strawberry.field(description="One product by ID or slug; null when not published there.")
    async def product(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        channel: str | None = None,
    ) -> Product | None:
        context = info.context
        resolved = await context.channel(channel)
        if (id is None) == (slug is None):
            raise bad_input(
                DomainError.single(ErrorCode.INVALID, "Give exactly one of id or slug", "id")
            )
        try:
            product_ids = [from_global_id(id, "Product")[1]] if id is not None else []
        except DomainError as error:
            raise bad_input(error) from None
        include = _include(selected_paths(info))
        async with context.runtime.reads.connect() as connection:
            bundles = await queries.products_where(
                connection,
                channel_id=resolved.id,
                product_ids=product_ids,
                slugs=[slug] if slug is not None else [],
                include=include,
                now=context.runtime.clock.now(),
            )
        availability = await _availability(context, resolved, bundles, include)
        products = await _products(context, resolved, bundles, include, availability)
        return products[0] if products else None

    @strawberry.field(description="The category tree: top-level categories with their children.")
    async def categories(self, info: Info) -> list[Category]:
        async with info.context.runtime.reads.connect() as connection:
            every = await queries.all_categories(connection)
        nodes = {category.id: Category.from_model(category) for category in every}
        roots: list[Category] = []
        for node in nodes.values():
            node.preloaded_children = []
        for category in every:
            node = nodes[category.id]
            parent = nodes.get(category.parent_id) if category.parent_id is not None else None
            (
                parent.preloaded_children
                if parent and parent.preloaded_children is not None
                else roots
            ).append(node)
        return roots

    @strawberry.field(description="One category by slug.")
    async def category(self, info: Info, slug: str) -> Category | None:
        async with info.context.runtime.reads.connect() as connection:
            found = await queries.category_by_slug(connection, slug)
        return Category.from_model(found) if found else None
