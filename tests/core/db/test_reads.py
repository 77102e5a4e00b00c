"""Hot reads send their statements to the driver themselves: the answers stay SQLAlchemy's.

Each read runs twice: on a read connection (compiled once, sent to asyncpg or
sqlite3 directly, with SQLAlchemy's type conversions) and on a plain SQLAlchemy
connection, which runs the same statements through SQLAlchemy's execution path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, literal, select

from core.catalog import queries as catalog_queries
from core.catalog.model import (
    ProductFilter,
    ProductInclude,
    ProductSort,
    ProductSortKey,
    VariantOption,
)
from core.clock import FrozenClock
from core.db.reads import ReadConnection, fetch_rows
from core.ids import VariantId
from core.inventory import queries as inventory_queries
from core.inventory import reservations
from core.inventory.model import OwnerKind
from core.outage import is_outage
from core.runtime import Runtime
from tests.factories import Shop, make_product, make_shop, postgres_dsn, terminate_backends

Read = Callable[[ReadConnection], Awaitable[Any]]


async def both_paths(runtime: Runtime, read: Read) -> tuple[Any, Any]:
    async with runtime.reads.connect() as connection:
        hot = await read(connection)
    async with runtime.engine.connect() as connection:
        plain = await read(connection)
    return hot, plain


async def stocked_shop(runtime: Runtime, clock: FrozenClock) -> tuple[Shop, list[VariantId]]:
    shop = await make_shop(runtime, warehouse=5, store=3)
    jacket = await make_product(
        runtime,
        channel=shop.channel,
        slug="jacket",
        variants=["JKT-S", "JKT-M"],
        options=[VariantOption("Size", "S"), VariantOption("Fit", "slim")],
        price=None,
    )
    for owner_id, ttl_seconds in (("cart-1", 30), ("cart-2", 600)):
        await reservations.reserve_for_channel(
            runtime.uow(),
            channel_id=shop.channel.id,
            owner_kind=OwnerKind.CART,
            owner_id=owner_id,
            variant_id=shop.variant_id,
            quantity=2,
            ttl_seconds=ttl_seconds,
        )
    clock.set(clock.now() + timedelta(seconds=31))  # cart-1's has expired, unswept
    return shop, [shop.variant_id, *(variant.id for variant in jacket.variants)]


async def test_listings_read_the_same_pages_on_both_paths(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop, _variant_ids = await stocked_shop(runtime, clock)
    include = ProductInclude(variants=True, images=True, category=True, availability=True)
    pages = []

    for key in (ProductSortKey.NAME, ProductSortKey.CREATED_AT, ProductSortKey.PRICE):
        for reverse in (False, True):

            async def read(
                connection: ReadConnection, key: Any = key, reverse: Any = reverse
            ) -> Any:
                return await catalog_queries.list_products(
                    connection,
                    channel_id=shop.channel.id,
                    first=10,
                    after=None,
                    product_filter=ProductFilter(in_stock=None),
                    sort=ProductSort(key, reverse),
                    include=include,
                    now=clock.now(),
                )

            pages.append(await both_paths(runtime, read))

    for hot, plain in pages:
        assert hot == plain
        assert [len(bundle.variants) for bundle in hot.bundles] in ([1, 2], [2, 1])
    hot_by_name = pages[0][0]
    assert [bundle.channel_stock for bundle in hot_by_name.bundles] == [(0, 0), (6,)]
    assert hot_by_name.bundles[0].variants[0].options == (
        VariantOption("Size", "S"),
        VariantOption("Fit", "slim"),
    )


async def test_products_and_stock_read_the_same_on_both_paths(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop, variant_ids = await stocked_shop(runtime, clock)

    async def read(connection: ReadConnection) -> Any:
        products = await catalog_queries.products_where(
            connection,
            channel_id=shop.channel.id,
            slugs=["web-tee", "jacket", "missing"],
            include=ProductInclude(variants=True, availability=True),
            now=clock.now(),
        )
        per_location = await inventory_queries.available_in_channel(
            connection, channel_id=shop.channel.id, variant_ids=variant_ids, now=clock.now()
        )
        summed = await inventory_queries.channel_quantities(
            connection, channel_id=shop.channel.id, variant_ids=variant_ids, now=clock.now()
        )
        return products, per_location, summed

    hot, plain = await both_paths(runtime, read)

    assert hot == plain
    products, _per_location, summed = hot
    assert sorted(product.product.slug for product in products) == ["jacket", "web-tee"]
    assert summed == {variant_ids[0]: 6, variant_ids[1]: 0, variant_ids[2]: 0}


async def test_read_connections_go_back_to_the_pool_whichever_path_they_took(
    runtime: Runtime, clock: FrozenClock
) -> None:
    shop, variant_ids = await stocked_shop(runtime, clock)
    rounds = 3 * (runtime.settings.db_pool_size * 2)  # past the pool and its overflow

    for _ in range(rounds):
        async with runtime.reads.connect() as connection:  # the driver's path only
            await inventory_queries.channel_quantities(
                connection, channel_id=shop.channel.id, variant_ids=variant_ids, now=clock.now()
            )
        async with runtime.reads.connect() as connection:  # SQLAlchemy's path too
            await catalog_queries.products_by_id(connection, [1])
            await inventory_queries.channel_quantities(
                connection, channel_id=shop.channel.id, variant_ids=variant_ids, now=clock.now()
            )

    assert runtime.engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("wrapped", [False, True], ids=["driver-only", "sqlalchemy-too"])
async def test_a_read_connection_whose_server_hung_up_is_dropped_from_the_pool(
    runtime: Runtime, database_url: str, wrapped: bool
) -> None:
    dsn = postgres_dsn(database_url)
    invalidated: list[BaseException | None] = []

    def on_invalidate(_dbapi_connection: Any, _record: Any, error: BaseException | None) -> None:
        invalidated.append(error)

    event.listen(runtime.engine.sync_engine, "invalidate", on_invalidate)
    try:
        with pytest.raises(Exception) as raised:
            async with runtime.reads.connect() as connection:
                if wrapped:  # SQLAlchemy's Connection over it exists too
                    await connection.execute(select(literal(1)))
                [(pid,)] = await fetch_rows(connection, select(func.pg_backend_pid()), {})
                terminated = await terminate_backends(dsn, [pid])
                await fetch_rows(connection, select(func.pg_backend_pid()), {})
    finally:
        event.remove(runtime.engine.sync_engine, "invalidate", on_invalidate)

    assert terminated == [True]
    assert is_outage(raised.value)
    # Sent straight to asyncpg, the statement bypassed SQLAlchemy's disconnect handling;
    # the read connection still told the pool, which opens a new connection instead.
    assert len(invalidated) == 1
