from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.catalog import queries, services
from core.catalog.model import ProductFilter, ProductInclude, ProductSort, VariantOption
from core.catalog.tables import ProductSearchRow, VariantRow
from core.clock import FrozenClock
from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.ids import CategoryId, ChannelId, ProductId, VariantId
from core.money import Money
from core.runtime import Runtime
from tests.factories import make_category, make_channel, make_product, row_counts


def codes(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[ErrorCode, str | None]]:
    return {(problem.code, problem.field) for problem in error.value.problems}


async def search_row(runtime: Runtime, product_id: ProductId) -> tuple[str, str, str]:
    search = table_of(ProductSearchRow)
    async with runtime.engine.connect() as connection:
        row = (
            await connection.execute(
                select(search.c.name, search.c.skus, search.c.description).where(
                    search.c.product_id == product_id
                )
            )
        ).one()
    return row.name, row.skus, row.description


async def search(runtime: Runtime, channel_id: ChannelId, text: str) -> list[str]:
    async with runtime.engine.connect() as connection:
        page = await queries.list_products(
            connection,
            channel_id=channel_id,
            first=10,
            after=None,
            product_filter=ProductFilter(search=text),
            sort=ProductSort(),
            include=ProductInclude(),
        )
    return [bundle.product.slug for bundle in page.bundles]


# ---------------------------------------------------------------- categories


async def test_a_category_can_be_created_under_a_parent(runtime: Runtime) -> None:
    parent = await make_category(runtime, slug="clothing")

    child = await services.create_category(
        runtime.uow(), slug="shirts", name="Shirts", parent_id=parent.id, position=2
    )

    async with runtime.engine.connect() as connection:
        stored = await queries.categories_by_id(connection, [child.id])
    assert stored[child.id] == child
    assert (child.parent_id, child.position) == (parent.id, 2)


async def test_a_category_with_bad_input_reports_every_problem(runtime: Runtime) -> None:
    await make_category(runtime, slug="clothing")
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.create_category(
            runtime.uow(), slug="clothing", name="", parent_id=CategoryId(999_999)
        )

    assert codes(error) == {
        (ErrorCode.DUPLICATE_SLUG, "slug"),
        (ErrorCode.REQUIRED, "name"),
        (ErrorCode.NOT_FOUND, "parent_id"),
    }
    assert await row_counts(runtime) == before


async def test_a_category_cannot_move_under_itself_or_its_descendants(runtime: Runtime) -> None:
    top = await make_category(runtime, slug="top")
    middle = await make_category(runtime, slug="middle", parent=top)
    bottom = await make_category(runtime, slug="bottom", parent=middle)

    for new_parent in (top, bottom):
        with pytest.raises(DomainError) as error:
            await services.update_category(
                runtime.uow(), category_id=top.id, parent_id=new_parent.id
            )

        assert codes(error) == {(ErrorCode.CATEGORY_CYCLE, "parent_id")}


async def test_a_category_can_move_to_the_top_and_be_renamed(runtime: Runtime) -> None:
    top = await make_category(runtime, slug="top")
    child = await make_category(runtime, slug="child", parent=top)

    moved = await services.update_category(
        runtime.uow(), category_id=child.id, parent_id=None, slug="orphan", name="Orphan"
    )

    assert (moved.parent_id, moved.slug, moved.name) == (None, "orphan", "Orphan")


async def test_updating_an_unknown_category_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as error:
        await services.update_category(runtime.uow(), category_id=CategoryId(1), name="Gone")

    assert codes(error) == {(ErrorCode.NOT_FOUND, "id")}


# ---------------------------------------------------------------- products


async def test_a_created_product_is_searchable_by_name_and_description(runtime: Runtime) -> None:
    category = await make_category(runtime)

    product = await services.create_product(
        runtime.uow(),
        slug="rain-jacket",
        name="Rain Jacket",
        description="Waterproof shell",
        category_id=category.id,
        images=[services.NewImage("https://img.example/1.jpg", "Front")],
    )

    assert product.category_id == category.id
    assert product.created_at == product.updated_at
    assert await search_row(runtime, product.id) == ("Rain Jacket", "", "Waterproof shell")
    async with runtime.engine.connect() as connection:
        images = await queries.images_by_product_id(connection, [product.id])
    assert [(image.url, image.alt) for image in images[product.id]] == [
        ("https://img.example/1.jpg", "Front")
    ]


async def test_a_product_with_bad_input_reports_every_problem(runtime: Runtime) -> None:
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.create_product(
            runtime.uow(),
            slug="Rain Jacket",
            name="x" * 251,
            category_id=CategoryId(999_999),
            images=[
                services.NewImage("https://img.example/ok.jpg"),
                services.NewImage("ftp://img.example/bad.jpg"),
                services.NewImage(""),
            ],
        )

    assert codes(error) == {
        (ErrorCode.INVALID_SLUG, "slug"),
        (ErrorCode.INVALID, "name"),
        (ErrorCode.NOT_FOUND, "category_id"),
        (ErrorCode.INVALID, "images.1.url"),
        (ErrorCode.REQUIRED, "images.2.url"),
    }
    assert await row_counts(runtime) == before


async def test_a_product_slug_is_unique(runtime: Runtime) -> None:
    channel = await make_channel(runtime)
    await make_product(runtime, channel=channel, slug="tee")
    other = await make_product(runtime, channel=channel, slug="other-tee")

    with pytest.raises(DomainError) as create_error:
        await services.create_product(runtime.uow(), slug="tee", name="Tee")
    with pytest.raises(DomainError) as update_error:
        await services.update_product(runtime.uow(), product_id=other.product.id, slug="tee")

    assert codes(create_error) == {(ErrorCode.DUPLICATE_SLUG, "slug")}
    assert codes(update_error) == {(ErrorCode.DUPLICATE_SLUG, "slug")}


async def test_updating_a_product_replaces_images_and_moves_updated_at(
    runtime: Runtime, clock: FrozenClock
) -> None:
    product = await services.create_product(
        runtime.uow(),
        slug="tee",
        name="Tee",
        images=[services.NewImage("https://img.example/a.jpg")],
    )
    clock.set(clock.now() + timedelta(hours=1))

    updated = await services.update_product(
        runtime.uow(),
        product_id=product.id,
        name="Organic Tee",
        images=[
            services.NewImage("https://img.example/b.jpg", "Back"),
            services.NewImage("https://img.example/c.jpg"),
        ],
    )

    assert (updated.name, updated.slug, updated.created_at) == (
        "Organic Tee",
        "tee",
        product.created_at,
    )
    assert updated.updated_at == clock.now()
    async with runtime.engine.connect() as connection:
        images = await queries.images_by_product_id(connection, [product.id])
    assert [image.url for image in images[product.id]] == [
        "https://img.example/b.jpg",
        "https://img.example/c.jpg",
    ]
    assert (await search_row(runtime, product.id))[0] == "Organic Tee"


async def test_updating_an_unknown_product_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as error:
        await services.update_product(runtime.uow(), product_id=ProductId(1), name="Gone")

    assert codes(error) == {(ErrorCode.NOT_FOUND, "id")}


# ---------------------------------------------------------------- variants


async def test_a_new_variant_is_found_by_its_sku(runtime: Runtime, clock: FrozenClock) -> None:
    channel = await make_channel(runtime)
    made = await make_product(runtime, channel=channel, slug="tee", variants=["TEE-S"])
    clock.set(clock.now() + timedelta(minutes=5))

    variant = await services.create_variant(
        runtime.uow(),
        product_id=made.product.id,
        sku="TEE-XL-RED",
        name="XL red",
        options=[VariantOption("Size", "XL"), VariantOption("Colour", "Red")],
        position=1,
    )

    assert variant.options == (VariantOption("Size", "XL"), VariantOption("Colour", "Red"))
    assert (await search_row(runtime, made.product.id))[1] == "TEE-S TEE-XL-RED"
    assert await search(runtime, channel.id, "TEE-XL") == ["tee"]
    async with runtime.engine.connect() as connection:
        bundles = await queries.products_where(
            connection,
            channel_id=channel.id,
            product_ids=[made.product.id],
            include=ProductInclude(),
        )
    assert bundles[0].product.updated_at == clock.now()


async def test_a_variant_with_bad_input_reports_every_problem(runtime: Runtime) -> None:
    channel = await make_channel(runtime)
    await make_product(runtime, channel=channel, variants=["TAKEN"])
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.create_variant(
            runtime.uow(),
            product_id=ProductId(999_999),
            sku="TAKEN",
            options=[VariantOption("Size", "M"), VariantOption("size", "L"), VariantOption("", "")],
        )

    assert codes(error) == {
        (ErrorCode.NOT_FOUND, "product_id"),
        (ErrorCode.DUPLICATE_SKU, "sku"),
        (ErrorCode.DUPLICATE, "options.1.name"),
        (ErrorCode.REQUIRED, "options.2.name"),
        (ErrorCode.REQUIRED, "options.2.value"),
    }
    assert await row_counts(runtime) == before


@pytest.mark.parametrize(("sku", "code"), [("", ErrorCode.REQUIRED), ("A B", ErrorCode.INVALID)])
async def test_a_sku_is_required_and_has_no_spaces(
    runtime: Runtime, sku: str, code: ErrorCode
) -> None:
    product = await services.create_product(runtime.uow(), slug="tee", name="Tee")

    with pytest.raises(DomainError) as error:
        await services.create_variant(runtime.uow(), product_id=product.id, sku=sku)

    assert codes(error) == {(code, "sku")}


async def test_renaming_a_sku_updates_search_and_refuses_a_taken_one(runtime: Runtime) -> None:
    channel = await make_channel(runtime)
    made = await make_product(runtime, channel=channel, slug="tee", variants=["OLD-1", "KEEP-2"])

    updated = await services.update_variant(
        runtime.uow(), variant_id=made.variants[0].id, sku="NEW-1", options=[]
    )
    with pytest.raises(DomainError) as error:
        await services.update_variant(runtime.uow(), variant_id=made.variants[0].id, sku="KEEP-2")

    assert (updated.sku, updated.options, updated.base_price) == ("NEW-1", (), None)
    assert (await search_row(runtime, made.product.id))[1] == "NEW-1 KEEP-2"
    assert codes(error) == {(ErrorCode.DUPLICATE_SKU, "sku")}


async def test_updating_an_unknown_variant_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as error:
        await services.update_variant(runtime.uow(), variant_id=VariantId(1), name="Gone")

    assert codes(error) == {(ErrorCode.NOT_FOUND, "id")}


async def test_two_concurrent_creates_of_one_sku_give_one_variant(runtime: Runtime) -> None:
    first = await services.create_product(runtime.uow(), slug="first", name="First")
    second = await services.create_product(runtime.uow(), slug="second", name="Second")

    results = await asyncio.gather(
        services.create_variant(runtime.uow(), product_id=first.id, sku="SAME-SKU"),
        services.create_variant(runtime.uow(), product_id=second.id, sku="SAME-SKU"),
        return_exceptions=True,
    )

    failures = [result for result in results if isinstance(result, BaseException)]
    assert len(failures) == 1, results
    assert isinstance(failures[0], DomainError), repr(failures[0])
    assert [(p.code, p.field) for p in failures[0].problems] == [(ErrorCode.DUPLICATE_SKU, "sku")]
    assert (await row_counts(runtime))["variants"] == 1


async def test_a_sku_committed_while_a_create_waits_is_a_duplicate(
    runtime: Runtime, engine: AsyncEngine
) -> None:
    first = await services.create_product(runtime.uow(), slug="first", name="First")
    second = await services.create_product(runtime.uow(), slug="second", name="Second")

    async with engine.connect() as other:
        transaction = await other.begin()
        await other.execute(
            insert(table_of(VariantRow)).values(
                product_id=first.id, sku="SAME-SKU", name="", position=0, options=[]
            )
        )
        # The create passes its own check (the row is not committed yet) and then waits:
        # on the unique index in PostgreSQL, on the write lock in SQLite.
        creating = asyncio.create_task(
            services.create_variant(runtime.uow(), product_id=second.id, sku="SAME-SKU")
        )
        await asyncio.sleep(0.3)
        await transaction.commit()
        with pytest.raises(DomainError) as error:
            await creating

    assert codes(error) == {(ErrorCode.DUPLICATE_SKU, "sku")}
    assert (await row_counts(runtime))["variants"] == 1


# ---------------------------------------------------------------- listings and prices


async def test_a_listing_name_override_is_shown_and_searchable(runtime: Runtime) -> None:
    web = await make_channel(runtime, slug="web")
    app = await make_channel(runtime, slug="app", currency="USD")
    made = await make_product(runtime, channel=web, slug="tee", name="Tee")

    shown = await services.set_listing(
        runtime.uow(),
        product_id=made.product.id,
        channel_id=app.id,
        is_published=True,
        name="Exclusive Pocket Tee",
    )

    assert (shown.name, shown.description) == ("Exclusive Pocket Tee", "")
    assert (await search_row(runtime, made.product.id))[0] == "Tee Exclusive Pocket Tee"
    assert await search(runtime, app.id, "pocket") == ["tee"]
    assert await search(runtime, web.id, "pocket") == ["tee"]


async def test_setting_a_listing_twice_replaces_it(runtime: Runtime) -> None:
    channel = await make_channel(runtime)
    made = await make_product(runtime, channel=channel, listing_name="Old title")

    await services.set_listing(
        runtime.uow(), product_id=made.product.id, channel_id=channel.id, is_published=False
    )

    async with runtime.engine.connect() as connection:
        listings = await queries.listings_by_product_id(connection, [made.product.id])
    assert [(x.is_published, x.name) for x in listings[made.product.id]] == [(False, None)]
    assert (await search_row(runtime, made.product.id))[0] == made.product.name


async def test_a_listing_for_unknown_things_is_refused(runtime: Runtime) -> None:
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.set_listing(
            runtime.uow(),
            product_id=ProductId(1),
            channel_id=ChannelId(1),
            is_published=True,
            name="",
        )

    assert codes(error) == {
        (ErrorCode.NOT_FOUND, "product_id"),
        (ErrorCode.NOT_FOUND, "channel"),
        (ErrorCode.REQUIRED, "name"),
    }
    assert await row_counts(runtime) == before


async def test_a_price_is_set_then_replaced_in_the_channels_currency(runtime: Runtime) -> None:
    channel = await make_channel(runtime, currency="JPY")
    made = await make_product(runtime, channel=channel, price="1500")

    variant = await services.set_variant_price(
        runtime.uow(),
        variant_id=made.variants[0].id,
        channel_id=channel.id,
        price=Money.parse("1200", "JPY"),
    )

    assert variant.base_price == Money(1200, "JPY")
    async with runtime.engine.connect() as connection:
        stored = await queries.variants_by_product_id(connection, channel.id, [made.product.id])
    assert [v.base_price for v in stored[made.product.id]] == [Money(1200, "JPY")]


async def test_a_negative_price_in_another_currency_reports_both(runtime: Runtime) -> None:
    channel = await make_channel(runtime, currency="EUR")
    made = await make_product(runtime, channel=channel, price=None)
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as error:
        await services.set_variant_price(
            runtime.uow(),
            variant_id=made.variants[0].id,
            channel_id=channel.id,
            price=Money.parse("-1.00", "USD"),
        )

    assert codes(error) == {
        (ErrorCode.NEGATIVE_PRICE, "price.amount"),
        (ErrorCode.CURRENCY_MISMATCH, "price.currency"),
    }
    assert await row_counts(runtime) == before


async def test_a_price_for_unknown_things_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as error:
        await services.set_variant_price(
            runtime.uow(),
            variant_id=VariantId(1),
            channel_id=ChannelId(1),
            price=Money.parse("1.00", "USD"),
        )

    assert codes(error) == {(ErrorCode.NOT_FOUND, "variant_id"), (ErrorCode.NOT_FOUND, "channel")}


async def test_removing_a_price_stops_selling_and_is_harmless_twice(runtime: Runtime) -> None:
    channel = await make_channel(runtime)
    made = await make_product(runtime, channel=channel, price="3.00")
    variant_id = made.variants[0].id

    await services.remove_variant_price(runtime.uow(), variant_id=variant_id, channel_id=channel.id)
    again = await services.remove_variant_price(
        runtime.uow(), variant_id=variant_id, channel_id=channel.id
    )

    assert again.base_price is None
    assert (await row_counts(runtime))["variant_prices"] == 0


async def test_concurrent_creates_of_one_slug_give_one_product(runtime: Runtime) -> None:
    results = await asyncio.gather(
        *(services.create_product(runtime.uow(), slug="same", name=f"P{i}") for i in range(8)),
        return_exceptions=True,
    )

    failures = [result for result in results if isinstance(result, BaseException)]
    assert len(failures) == 7, results
    assert all(isinstance(failure, DomainError) for failure in failures), failures
    assert {p.code for f in failures for p in f.problems} == {ErrorCode.DUPLICATE_SLUG}  # type: ignore[attr-defined]
    assert (await row_counts(runtime))["products"] == 1
