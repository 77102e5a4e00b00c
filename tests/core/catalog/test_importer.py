"""The bulk catalog import: all-or-nothing validation, the rows it writes, search text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.catalog.import_checks import MAX_PROBLEMS
from core.catalog.import_data import (
    CatalogData,
    CategoryData,
    ChannelData,
    ListingData,
    LocationData,
    ProductData,
    SupplyData,
    VariantData,
)
from core.catalog.importer import import_catalog
from core.catalog.model import ProductBundle, ProductFilter, ProductInclude, ProductSort
from core.catalog.queries import list_products
from core.catalog.search_index import refresh_product_search
from core.channels.model import ChannelKind, EnabledPlugin, LocationKind
from core.channels.queries import channel_by_slug, channel_locations_by_channel_id
from core.db import metadata
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId, ProductId
from core.money import Money
from core.runtime import Runtime
from tests.factories import FROZEN_AT, StatementCounter

BASE_TIME = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def channel(
    slug: str = "web",
    currency: str = "PLN",
    *,
    plugins: list[tuple[str, dict[str, object]]] | None = None,
) -> ChannelData:
    return ChannelData(slug, f"{slug.title()} channel", ChannelKind.WEB, currency, plugins or [])


def variant(sku: str, *, prices: dict[str, Money] | None = None) -> VariantData:
    return VariantData(
        sku=sku,
        name=f"{sku} variant",
        options=[("Colour", "Black"), ("Size", "M")],
        prices=prices if prices is not None else {"web": Money(19_999, "PLN")},
    )


def product(
    slug: str,
    *,
    name: str | None = None,
    description: str = "A warm thing for cold days.",
    category: str | None = "jackets",
    skus: tuple[str, ...] | None = None,
    listings: dict[str, ListingData] | None = None,
    prices: dict[str, Money] | None = None,
    created_at: datetime | None = BASE_TIME,
) -> ProductData:
    return ProductData(
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        description=description,
        category_slug=category,
        created_at=created_at,
        images=[(f"https://img.example/{slug}-1.jpg", "front")],
        variants=[
            variant(sku, prices=prices)
            for sku in (skus or (f"{slug.upper()}-1", f"{slug.upper()}-2"))
        ],
        listings=listings if listings is not None else {"web": ListingData(True)},
    )


def catalog(
    *,
    channels: list[ChannelData] | None = None,
    locations: list[LocationData] | None = None,
    supply: list[SupplyData] | None = None,
    categories: list[CategoryData] | None = None,
    products: list[ProductData] | None = None,
) -> CatalogData:
    """A small valid catalog; each argument replaces one part of it."""
    return CatalogData(
        channels=channels if channels is not None else [channel("web"), channel("eu", "EUR")],
        locations=locations
        if locations is not None
        else [
            LocationData(
                "warehouse", "Warehouse", LocationKind.WAREHOUSE, latitude=52.2, longitude=20.6
            )
        ],
        supply=supply if supply is not None else [SupplyData("web", "warehouse", 0)],
        categories=categories
        if categories is not None
        else [CategoryData("men", "Men"), CategoryData("jackets", "Jackets", parent_slug="men")],
        products=products
        if products is not None
        else [product("alpine-jacket"), product("harbour-coat")],
    )


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            counts[table.name] = (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
    return counts


async def channel_id(engine: AsyncEngine, slug: str) -> ChannelId:
    async with engine.connect() as connection:
        found = await channel_by_slug(connection, slug)
    assert found is not None
    return found.id


async def search_rows(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT name, skus, description FROM product_search ORDER BY name")
        )
        return [(row.name, row.skus, row.description) for row in rows.all()]


async def visible(engine: AsyncEngine, channel_slug: str) -> list[ProductBundle]:
    """Every product the channel shows, by name, with variants, images and category."""
    in_channel = await channel_id(engine, channel_slug)
    async with engine.connect() as connection:
        page = await list_products(
            connection,
            channel_id=in_channel,
            first=100,
            after=None,
            product_filter=ProductFilter(),
            sort=ProductSort(),
            include=ProductInclude(variants=True, images=True, category=True),
        )
    return list(page.bundles)


async def search(engine: AsyncEngine, channel_slug: str, terms: str) -> list[str]:
    """Slugs of the products a channel's search for ``terms`` finds, best first."""
    in_channel = await channel_id(engine, channel_slug)
    async with engine.connect() as connection:
        page = await list_products(
            connection,
            channel_id=in_channel,
            first=50,
            after=None,
            product_filter=ProductFilter(search=terms),
            sort=ProductSort(),
            include=ProductInclude(),
        )
    return [bundle.product.slug for bundle in page.bundles]


# ---------------------------------------------------------------- writing


async def test_a_valid_catalog_is_written_with_every_relation(runtime: Runtime) -> None:
    data = catalog(
        channels=[
            channel("web", plugins=[("web", {})]),
            channel("eu", "EUR"),
        ],
        products=[
            product(
                "alpine-jacket",
                listings={"web": ListingData(True), "eu": ListingData(False)},
                prices={"web": Money(19_999, "PLN"), "eu": Money(4_599, "EUR")},
            )
        ],
    )

    summary = await import_catalog(runtime.uow(), data)

    assert (summary.channels, summary.channel_plugins, summary.locations) == (2, 1, 1)
    assert (summary.supply_links, summary.categories, summary.products) == (1, 2, 1)
    assert (summary.images, summary.variants, summary.listings, summary.prices) == (1, 2, 2, 4)
    counts = await row_counts(runtime.engine)
    assert counts["product_search"] == 1
    assert counts["variant_prices"] == 4
    async with runtime.engine.connect() as connection:
        web = await channel_by_slug(connection, "web")
        assert web is not None
        links = await channel_locations_by_channel_id(connection, [web.id])
    assert web.plugins == (EnabledPlugin("web", {}),)
    assert [link.priority for link in links[web.id]] == [0]
    (bundle,) = await visible(runtime.engine, "web")
    assert await visible(runtime.engine, "eu") == []
    assert bundle.product.created_at == BASE_TIME
    assert bundle.category is not None and bundle.category.slug == "jackets"
    assert [v.sku for v in bundle.variants] == ["ALPINE-JACKET-1", "ALPINE-JACKET-2"]
    assert [v.base_price for v in bundle.variants] == [Money(19_999, "PLN")] * 2
    assert [image.url for image in bundle.images] == ["https://img.example/alpine-jacket-1.jpg"]


async def test_imported_products_are_found_by_name_sku_description_and_name_override(
    runtime: Runtime,
) -> None:
    data = catalog(
        products=[
            product(
                "alpine-jacket",
                description="Stitched from waxed cotton.",
                listings={
                    "web": ListingData(True),
                    "eu": ListingData(True, name="Veste alpine"),
                },
                prices={"web": Money(19_999, "PLN"), "eu": Money(4_599, "EUR")},
            ),
            product("harbour-coat", skus=("HC-BLK-M",)),
        ]
    )

    await import_catalog(runtime.uow(), data)

    assert await search(runtime.engine, "web", "alpine") == ["alpine-jacket"]
    assert await search(runtime.engine, "web", "HC-BLK") == ["harbour-coat"]
    assert await search(runtime.engine, "web", "waxed") == ["alpine-jacket"]
    assert await search(runtime.engine, "eu", "veste") == ["alpine-jacket"]
    assert await search_rows(runtime.engine) == [
        (
            "Alpine Jacket Veste alpine",
            "ALPINE-JACKET-1 ALPINE-JACKET-2",
            "Stitched from waxed cotton.",
        ),
        ("Harbour Coat", "HC-BLK-M", "A warm thing for cold days."),
    ]


async def test_search_rows_are_what_a_later_refresh_of_the_product_writes(
    runtime: Runtime,
) -> None:
    listings = {
        "web": ListingData(True, name="Alpine Jacket"),  # the same as the base name
        "eu": ListingData(True, name="Veste alpine"),
    }
    eu_price = {"web": Money(19_999, "PLN"), "eu": Money(4_599, "EUR")}
    await import_catalog(
        runtime.uow(),
        catalog(products=[product("alpine-jacket", listings=listings, prices=eu_price)]),
    )
    imported = await search_rows(runtime.engine)

    async with runtime.uow() as uow:
        ids = (await uow.session.execute(text("SELECT id FROM products"))).scalars().all()
        await refresh_product_search(uow, [ProductId(product_id) for product_id in ids])
        await uow.commit()

    assert imported == [
        (
            "Alpine Jacket Veste alpine",
            "ALPINE-JACKET-1 ALPINE-JACKET-2",
            "A warm thing for cold days.",
        )
    ]
    assert await search_rows(runtime.engine) == imported


async def test_products_without_timestamps_take_the_clock_time(runtime: Runtime) -> None:
    later = BASE_TIME + timedelta(hours=5)
    data = catalog(
        products=[
            product("a", created_at=None),
            replace(product("b"), created_at=BASE_TIME, updated_at=later),
        ]
    )

    await import_catalog(runtime.uow(), data)

    stored = [
        (bundle.product.slug, bundle.product.created_at, bundle.product.updated_at)
        for bundle in await visible(runtime.engine, "web")
    ]
    assert stored == [("a", FROZEN_AT, FROZEN_AT), ("b", BASE_TIME, later)]


async def test_a_later_import_may_refer_to_channels_locations_and_categories_already_stored(
    runtime: Runtime,
) -> None:
    await import_catalog(runtime.uow(), catalog(products=[]))
    later = CatalogData(
        locations=[LocationData("store", "Store", LocationKind.STORE)],
        supply=[SupplyData("web", "store", 1)],
        categories=[CategoryData("coats", "Coats", parent_slug="men")],
        products=[product("harbour-coat", category="coats")],
    )

    summary = await import_catalog(runtime.uow(), later)

    assert (summary.channels, summary.locations, summary.products) == (0, 1, 1)
    assert await search(runtime.engine, "web", "harbour") == ["harbour-coat"]


async def test_categories_are_written_parents_first_whatever_their_order(runtime: Runtime) -> None:
    categories = [
        CategoryData("parkas", "Parkas", parent_slug="jackets"),
        CategoryData("jackets", "Jackets", parent_slug="men"),
        CategoryData("men", "Men"),
    ]

    await import_catalog(runtime.uow(), catalog(categories=categories, products=[]))

    async with runtime.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT c.slug, p.slug FROM categories c "
                    "LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.slug"
                )
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("jackets", "men"),
        ("men", None),
        ("parkas", "jackets"),
    ]


async def test_the_number_of_statements_does_not_grow_with_the_catalog(
    runtime: Runtime, count_statements: StatementCounter
) -> None:
    def products(prefix: str, count: int) -> CatalogData:
        return CatalogData(products=[product(f"{prefix}-{n}") for n in range(count)])

    await import_catalog(runtime.uow(), catalog(products=[]))
    count_statements.reset()
    await import_catalog(runtime.uow(), products("few", 3))
    for_few = count_statements.count
    count_statements.reset()

    await import_catalog(runtime.uow(), products("many", 300))

    assert count_statements.count == for_few


# ---------------------------------------------------------------- validation


BadInput = Callable[[], CatalogData]

BAD_INPUTS: list[tuple[str, BadInput, ErrorCode, str]] = [
    (
        "price in an unknown channel",
        lambda: catalog(products=[product("a", prices={"mars": Money(100, "PLN")})]),
        ErrorCode.UNKNOWN_CHANNEL,
        "products.0.variants.0.prices.mars",
    ),
    (
        "listing in an unknown channel",
        lambda: catalog(products=[product("a", listings={"mars": ListingData(True)})]),
        ErrorCode.UNKNOWN_CHANNEL,
        "products.0.listings.mars",
    ),
    (
        "unknown category",
        lambda: catalog(products=[product("a", category="hats")]),
        ErrorCode.NOT_FOUND,
        "products.0.category_slug",
    ),
    (
        "unknown parent category",
        lambda: catalog(categories=[CategoryData("jackets", "Jackets", parent_slug="men")]),
        ErrorCode.NOT_FOUND,
        "categories.0.parent_slug",
    ),
    (
        "supply from an unknown location",
        lambda: catalog(supply=[SupplyData("web", "moon-base", 0)]),
        ErrorCode.NOT_FOUND,
        "supply.0.location_slug",
    ),
    (
        "supply to an unknown channel",
        lambda: catalog(supply=[SupplyData("mars", "warehouse", 0)]),
        ErrorCode.UNKNOWN_CHANNEL,
        "supply.0.channel_slug",
    ),
    (
        "duplicate product slug",
        lambda: catalog(products=[product("a", skus=("A-1",)), product("a", skus=("A-2",))]),
        ErrorCode.DUPLICATE_SLUG,
        "products.1.slug",
    ),
    (
        "duplicate channel slug",
        lambda: catalog(channels=[channel("web"), channel("web")]),
        ErrorCode.DUPLICATE_SLUG,
        "channels.1.slug",
    ),
    (
        "duplicate category slug",
        lambda: catalog(
            categories=[CategoryData("jackets", "Jackets"), CategoryData("jackets", "Coats")]
        ),
        ErrorCode.DUPLICATE_SLUG,
        "categories.1.slug",
    ),
    (
        "duplicate SKU across products",
        lambda: catalog(products=[product("a", skus=("X-1",)), product("b", skus=("X-1",))]),
        ErrorCode.DUPLICATE_SKU,
        "products.1.variants.0.sku",
    ),
    (
        "price currency differs from the channel's",
        lambda: catalog(products=[product("a", prices={"eu": Money(100, "PLN")})]),
        ErrorCode.CURRENCY_MISMATCH,
        "products.0.variants.0.prices.eu",
    ),
    (
        "negative price",
        lambda: catalog(products=[product("a", prices={"web": Money(-1, "PLN")})]),
        ErrorCode.NEGATIVE_PRICE,
        "products.0.variants.0.prices.web",
    ),
    (
        "unknown channel currency",
        lambda: catalog(channels=[channel("web"), channel("eu", "XYZ")], products=[]),
        ErrorCode.INVALID_CURRENCY,
        "channels.1.currency",
    ),
    (
        "slug with spaces",
        lambda: catalog(products=[product("a"), replace(product("b"), slug="Big Coat")]),
        ErrorCode.INVALID_SLUG,
        "products.1.slug",
    ),
    (
        "SKU with a space",
        lambda: catalog(products=[product("a", skus=("A 1",))]),
        ErrorCode.INVALID,
        "products.0.variants.0.sku",
    ),
    (
        "option named twice",
        lambda: catalog(
            products=[
                replace(
                    product("a"),
                    variants=[VariantData("A-1", options=[("Size", "M"), ("Size", "L")])],
                )
            ]
        ),
        ErrorCode.DUPLICATE,
        "products.0.variants.0.options.1",
    ),
    (
        "product without a name",
        lambda: catalog(products=[replace(product("a"), name=" ")]),
        ErrorCode.REQUIRED,
        "products.0.name",
    ),
    (
        "category cycle",
        lambda: catalog(
            categories=[
                CategoryData("men", "Men", parent_slug="jackets"),
                CategoryData("jackets", "Jackets", parent_slug="men"),
            ]
        ),
        ErrorCode.CATEGORY_CYCLE,
        "categories.0.parent_slug",
    ),
    (
        "plugin that is not installed",
        lambda: catalog(channels=[channel("web", plugins=[("no-such-plugin", {})])], products=[]),
        ErrorCode.UNKNOWN_PLUGIN,
        "channels.0.plugins.0",
    ),
    (
        "latitude out of range",
        lambda: catalog(
            locations=[
                LocationData("warehouse", "W", LocationKind.WAREHOUSE, latitude=95, longitude=1)
            ]
        ),
        ErrorCode.INVALID_COORDINATES,
        "locations.0.latitude",
    ),
    (
        "naive creation time",
        lambda: catalog(products=[product("a", created_at=datetime(2026, 1, 1))]),
        ErrorCode.INVALID,
        "products.0.created_at",
    ),
]


@pytest.mark.parametrize(
    ("build", "code", "field"),
    [pytest.param(build, code, field, id=name) for name, build, code, field in BAD_INPUTS],
)
async def test_bad_input_is_reported_and_nothing_is_written(
    runtime: Runtime, build: BadInput, code: ErrorCode, field: str
) -> None:
    data = build()

    with pytest.raises(DomainError) as raised:
        await import_catalog(runtime.uow(), data)

    assert (code, field) in [(problem.code, problem.field) for problem in raised.value.problems]
    assert all(problem.message for problem in raised.value.problems)
    assert set((await row_counts(runtime.engine)).values()) == {0}


async def test_every_problem_is_reported_at_once(runtime: Runtime) -> None:
    data = catalog(
        products=[
            product("a", category="hats"),
            product("b", prices={"web": Money(-5, "PLN"), "eu": Money(5, "PLN")}),
        ]
    )

    with pytest.raises(DomainError) as raised:
        await import_catalog(runtime.uow(), data)

    codes = sorted(problem.code for problem in raised.value.problems)
    assert codes == sorted(
        [ErrorCode.NOT_FOUND]
        + [ErrorCode.NEGATIVE_PRICE, ErrorCode.CURRENCY_MISMATCH] * 2  # both variants of "b"
    )


async def test_thousands_of_problems_are_capped(runtime: Runtime) -> None:
    data = catalog(products=[product(f"p-{n}", category="hats") for n in range(MAX_PROBLEMS + 50)])

    with pytest.raises(DomainError) as raised:
        await import_catalog(runtime.uow(), data)

    assert len(raised.value.problems) == MAX_PROBLEMS + 1
    assert raised.value.problems[-1].message == "... and 50 more problems"


async def test_rows_already_stored_are_reported_and_left_alone(runtime: Runtime) -> None:
    await import_catalog(runtime.uow(), catalog())
    before = await row_counts(runtime.engine)

    with pytest.raises(DomainError) as raised:
        await import_catalog(runtime.uow(), catalog())

    problems = {(problem.code, problem.field) for problem in raised.value.problems}
    assert (ErrorCode.DUPLICATE_SLUG, "channels.0.slug") in problems
    assert (ErrorCode.DUPLICATE_SLUG, "products.1.slug") in problems
    assert (ErrorCode.DUPLICATE_SKU, "products.0.variants.1.sku") in problems
    assert (ErrorCode.DUPLICATE, "supply.0") in problems
    assert await row_counts(runtime.engine) == before
