"""Availability through GraphQL: per channel, per store, on products, batched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.catalog import queries as catalog_queries
from core.catalog import services as catalog
from core.catalog.import_data import (
    CatalogData,
    ChannelData,
    ListingData,
    LocationData,
    ProductData,
    SupplyData,
    VariantData,
)
from core.catalog.importer import import_catalog
from core.catalog.model import ProductInclude
from core.channels import queries as channel_queries
from core.channels import services as channels
from core.channels.model import (
    Channel,
    ChannelKind,
    EnabledPlugin,
    Location,
    LocationKind,
    StockDisplay,
)
from core.clock import FrozenClock
from core.ids import LocationId, VariantId
from core.inventory import services
from core.inventory.model import OwnerKind
from core.inventory.pickup import PICKUP_PREPARATION, TRANSFER_LEAD_TIME
from core.inventory.reservations import reserve_for_channel
from core.money import Money
from core.runtime import Runtime
from schema.relay import to_global_id
from tests.factories import (
    GraphQLClient,
    MadeProduct,
    StatementCounter,
    make_channel,
    make_location,
    make_product,
)


@dataclass(frozen=True)
class World:
    web: Channel  # exact quantities; warehouse, then the Warsaw store
    app: Channel  # status only; warehouse
    market: Channel  # marketplace holding back 2 units; warehouse
    warehouse: Location
    warsaw: Location
    krakow: Location
    gdansk: Location
    tee: MadeProduct  # variants TEE-S, TEE-M


async def make_world(runtime: Runtime) -> World:
    warehouse = await make_location(runtime, slug="warehouse")

    async def store(slug: str, lat: float, lon: float, *, pickup: bool = True) -> Location:
        return await make_location(
            runtime,
            slug=slug,
            kind=LocationKind.STORE,
            latitude=lat,
            longitude=lon,
            pickup_enabled=pickup,
        )

    warsaw = await store("warsaw", 52.2297, 21.0122)
    krakow = await store("krakow", 50.0647, 19.9450)
    gdansk = await store("gdansk", 54.3520, 18.6466)
    await store("lodz-no-pickup", 51.7592, 19.4560, pickup=False)
    web = await make_channel(runtime, slug="web", locations=[warehouse, warsaw])
    app = await make_channel(runtime, slug="app", kind=ChannelKind.MOBILE, locations=[warehouse])
    await channels.update_channel(
        runtime.uow(), channel_id=app.id, stock_display=StockDisplay.STATUS
    )
    market = await make_channel(
        runtime,
        slug="market",
        kind=ChannelKind.MARKETPLACE,
        plugins=[EnabledPlugin("marketplace", {"safety_buffer_units": 2})],
        locations=[warehouse],
    )
    tee = await make_product(runtime, channel=web, slug="tee", variants=["TEE-S", "TEE-M"])
    for channel in (app, market):
        await catalog.set_listing(
            runtime.uow(), product_id=tee.product.id, channel_id=channel.id, is_published=True
        )
    return World(web, app, market, warehouse, warsaw, krakow, gdansk, tee)


async def stock(runtime: Runtime, variant_id: int, location: Location, quantity: int) -> None:
    await services.set_stock(
        runtime.uow(),
        variant_id=VariantId(variant_id),
        location_id=LocationId(location.id),
        quantity=quantity,
        reason="count",
        actor="test",
    )


async def reserve(
    runtime: Runtime, channel: Channel, variant_id: int, quantity: int, ttl: int = 600
) -> None:
    await reserve_for_channel(
        runtime.uow(),
        channel_id=channel.id,
        owner_kind=OwnerKind.CART,
        owner_id="cart-1",
        variant_id=VariantId(variant_id),
        quantity=quantity,
        ttl_seconds=ttl,
    )


PRODUCT = """
query($channel: String) {
  product(slug: "tee", channel: $channel) {
    inStock variants { sku availability { status quantity } }
  }
}
"""


async def shown(gql: GraphQLClient, channel: str = "web") -> list[dict[str, Any]]:
    body = await gql(PRODUCT, {"channel": channel})
    assert "errors" not in body, body
    return [variant["availability"] for variant in body["data"]["product"]["variants"]]


async def test_each_channel_sums_its_own_locations_and_shows_them_its_way(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    world = await make_world(runtime)
    small, medium = (v.id for v in world.tee.variants)
    await stock(runtime, small, world.warehouse, 7)
    await stock(runtime, small, world.warsaw, 3)
    await stock(runtime, small, world.krakow, 50)  # supplies no channel

    assert await shown(gql, "web") == [
        {"status": "IN_STOCK", "quantity": 10},
        {"status": "OUT_OF_STOCK", "quantity": 0},
    ]
    # The app channel shows only a status; its warehouse alone has 7.
    assert await shown(gql, "app") == [
        {"status": "IN_STOCK", "quantity": None},
        {"status": "OUT_OF_STOCK", "quantity": None},
    ]
    assert medium  # both variants are listed, the second without stock


async def test_a_channel_argument_reads_that_channel_through_a_loader(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    world = await make_world(runtime)
    small = world.tee.variants[0].id
    await stock(runtime, small, world.warehouse, 7)
    await stock(runtime, small, world.warsaw, 3)
    query = """{ product(slug: "tee") { variants {
        here: availability { quantity }
        web: availability(channel: "web") { quantity }
        app: availability(channel: "app") { status quantity }
        market: availability(channel: "market") { status quantity } } } }"""

    body = await gql(query)

    assert body["data"]["product"]["variants"][0] == {
        "here": {"quantity": 10},
        "web": {"quantity": 10},
        "app": {"status": "IN_STOCK", "quantity": None},
        "market": {"status": "LOW_STOCK", "quantity": 5},
    }


async def test_unknown_channel_argument_is_a_coded_error(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_world(runtime)

    body = await gql(
        '{ product(slug: "tee") { variants { availability(channel: "nope") { status } } } }'
    )

    assert body["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "UNKNOWN_CHANNEL",
    }


async def test_low_stock_is_at_or_below_the_channel_threshold(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    world = await make_world(runtime)
    small, medium = (v.id for v in world.tee.variants)
    await channels.update_channel(runtime.uow(), channel_id=world.web.id, low_stock_threshold=10)
    await stock(runtime, small, world.warehouse, 10)
    await stock(runtime, medium, world.warehouse, 11)

    assert await shown(gql) == [
        {"status": "LOW_STOCK", "quantity": 10},
        {"status": "IN_STOCK", "quantity": 11},
    ]


async def test_reservations_lower_availability_until_they_expire(
    runtime: Runtime, gql: GraphQLClient, clock: FrozenClock
) -> None:
    world = await make_world(runtime)
    small = world.tee.variants[0].id
    await stock(runtime, small, world.warehouse, 7)
    await stock(runtime, small, world.warsaw, 3)
    await reserve(runtime, world.web, small, 8, ttl=60)

    assert (await shown(gql))[0] == {"status": "LOW_STOCK", "quantity": 2}
    assert (await shown(gql, "market"))[0] == {"status": "OUT_OF_STOCK", "quantity": 0}

    clock.set(clock.now() + timedelta(seconds=60))  # expired, not yet swept

    assert (await shown(gql))[0] == {"status": "IN_STOCK", "quantity": 10}


async def test_the_marketplace_safety_buffer_lowers_what_it_shows(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    world = await make_world(runtime)
    small, medium = (v.id for v in world.tee.variants)
    await stock(runtime, small, world.warehouse, 7)
    await stock(runtime, medium, world.warehouse, 2)

    body = await gql(PRODUCT, {"channel": "market"})

    product = body["data"]["product"]
    assert [v["availability"] for v in product["variants"]] == [
        {"status": "LOW_STOCK", "quantity": 5},
        {"status": "OUT_OF_STOCK", "quantity": 0},
    ]
    assert product["inStock"] is True


STORES = """
query($channel: String, $first: Int) {
  product(slug: "tee", channel: $channel) { variants { sku
    storeAvailability(near: {lat: 52.23, lon: 21.01}, first: $first) {
      edges { cursor node { location { slug } quantity distanceKm pickupReadyAt } }
      pageInfo { hasNextPage }
    }
  } }
}
"""


def ready(clock: FrozenClock, after: timedelta) -> str:
    return (clock.now() + after).isoformat()


async def test_store_availability_is_nearest_first_with_pickup_estimates(
    runtime: Runtime, gql: GraphQLClient, clock: FrozenClock
) -> None:
    world = await make_world(runtime)
    small, medium = (v.id for v in world.tee.variants)
    await stock(runtime, small, world.warsaw, 3)
    await stock(runtime, small, world.gdansk, 1)
    await stock(runtime, small, world.warehouse, 4)

    body = await gql(STORES, {"channel": "web"})

    small_stores, medium_stores = (
        v["storeAvailability"] for v in body["data"]["product"]["variants"]
    )
    nodes = [edge["node"] for edge in small_stores["edges"]]
    assert [node["location"]["slug"] for node in nodes] == ["warsaw", "krakow", "gdansk"]
    assert [node["quantity"] for node in nodes] == [3, 0, 1]
    assert nodes[0]["distanceKm"] < 1
    assert 245 < nodes[1]["distanceKm"] < 260  # Warsaw to Kraków
    assert 280 < nodes[2]["distanceKm"] < 295  # Warsaw to Gdańsk
    assert [node["pickupReadyAt"] for node in nodes] == [
        ready(clock, PICKUP_PREPARATION),
        ready(clock, TRANSFER_LEAD_TIME),  # from the warehouse
        ready(clock, PICKUP_PREPARATION),
    ]
    assert small_stores["pageInfo"] == {"hasNextPage": False}
    # Nothing anywhere: no estimate.
    assert [e["node"]["pickupReadyAt"] for e in medium_stores["edges"]] == [None] * 3
    assert medium


async def test_store_availability_pages_and_hides_quantities_where_the_channel_does(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    world = await make_world(runtime)
    await stock(runtime, world.tee.variants[0].id, world.warsaw, 3)

    body = await gql(STORES, {"channel": "app", "first": 2})

    stores = body["data"]["product"]["variants"][0]["storeAvailability"]
    assert [e["node"]["location"]["slug"] for e in stores["edges"]] == ["warsaw", "krakow"]
    assert [e["node"]["quantity"] for e in stores["edges"]] == [None, None]
    assert stores["pageInfo"] == {"hasNextPage": True}


async def test_store_availability_refuses_a_point_off_the_map(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_world(runtime)

    body = await gql(
        '{ product(slug: "tee") { variants { storeAvailability(near: {lat: 91, lon: 0}) '
        "{ edges { cursor } } } } }"
    )

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID"}


async def test_node_of_a_variant_reads_availability_through_loaders(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    world = await make_world(runtime)
    small, medium = (v.id for v in world.tee.variants)
    await stock(runtime, small, world.warehouse, 7)
    await stock(runtime, medium, world.warsaw, 1)
    fields = "... on ProductVariant { sku availability { status quantity } product { inStock } }"
    query = (
        f'{{ a: node(id: "{to_global_id("ProductVariant", small)}") {{ {fields} }} '
        f'b: node(id: "{to_global_id("ProductVariant", medium)}") {{ {fields} }} }}'
    )

    count_statements.reset()
    body = await gql(query)

    assert body["data"] == {
        "a": {
            "sku": "TEE-S",
            "availability": {"status": "IN_STOCK", "quantity": 7},
            "product": {"inStock": True},
        },
        "b": {
            "sku": "TEE-M",
            "availability": {"status": "LOW_STOCK", "quantity": 1},
            "product": {"inStock": True},
        },
    }
    # channel, variants, availability, product, then the product's variants and stock
    assert count_statements.count == 6


# ---------------------------------------------------------------- listings

WEB = ChannelData("web", "Web", ChannelKind.WEB, "USD")
MARKET = ChannelData(
    "market",
    "Market",
    ChannelKind.MARKETPLACE,
    "USD",
    (("marketplace", {"safety_buffer_units": 2}),),
)


async def bulk_catalog(runtime: Runtime, count: int) -> dict[str, list[int]]:
    """``count`` products with 4 variants listed in web and market; variant ids by slug."""
    await import_catalog(
        runtime.uow(),
        CatalogData(
            channels=[WEB, MARKET],
            locations=[
                LocationData("warehouse", "Warehouse", LocationKind.WAREHOUSE),
                LocationData("store", "Store", LocationKind.STORE),
            ],
            supply=[
                SupplyData("web", "warehouse", 0),
                SupplyData("web", "store", 1),
                SupplyData("market", "warehouse", 0),
            ],
            products=[
                ProductData(
                    slug=f"p{i:03d}",
                    name=f"Product {i:03d}",
                    variants=[
                        VariantData(
                            sku=f"P{i}-{j}",
                            prices={
                                "web": Money(1000 + j, "USD"),
                                "market": Money(1000 + j, "USD"),
                            },
                        )
                        for j in range(4)
                    ],
                    listings={"web": ListingData(True), "market": ListingData(True)},
                )
                for i in range(count)
            ],
        ),
    )
    web = await runtime.channels.by_slug("web")
    assert web is not None
    async with runtime.reads.connect() as connection:
        products = await catalog_queries.products_where(
            connection,
            channel_id=web.id,
            slugs=[f"p{i:03d}" for i in range(count)],
            include=ProductInclude(variants=True),
        )
    return {b.product.slug: [v.id for v in b.variants] for b in products}


async def location(runtime: Runtime, slug: str) -> Location:
    async with runtime.reads.connect() as connection:
        every = await channel_queries.all_locations(connection)
    return next(found for found in every if found.slug == slug)


FILTERED = """
query($channel: String, $first: Int, $after: String, $inStock: Boolean) {
  products(channel: $channel, first: $first, after: $after, filter: {inStock: $inStock}) {
    edges { node { slug inStock } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def every_page(
    gql: GraphQLClient, in_stock: bool, channel: str = "web"
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = await gql(
            FILTERED, {"channel": channel, "first": 2, "after": after, "inStock": in_stock}
        )
        assert "errors" not in body, body
        page = body["data"]["products"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_the_in_stock_filter_pages_through_products_with_stock(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    variants = await bulk_catalog(runtime, 7)
    warehouse = await location(runtime, "warehouse")
    store = await location(runtime, "store")
    await stock(runtime, variants["p000"][3], warehouse, 5)
    await stock(runtime, variants["p002"][0], store, 1)  # supplies web, not market
    await stock(runtime, variants["p003"][1], warehouse, 2)  # all held back by market
    await stock(runtime, variants["p005"][2], warehouse, 1)
    web = await runtime.channels.by_slug("web")
    assert web is not None
    await reserve(runtime, web, variants["p005"][2], 1)  # its only unit

    in_stock = await every_page(gql, True)
    out_of_stock = await every_page(gql, False)

    assert in_stock == [{"slug": s, "inStock": True} for s in ("p000", "p002", "p003")]
    assert out_of_stock == [{"slug": s, "inStock": False} for s in ("p001", "p004", "p005", "p006")]
    # The filter counts stock before plugin buffers; inStock applies them.
    assert await every_page(gql, True, "market") == [
        {"slug": "p000", "inStock": True},
        {"slug": "p003", "inStock": False},
    ]


LISTING = """
query($first: Int, $inStock: Boolean) {
  products(first: $first, filter: {inStock: $inStock}) {
    edges { node { name inStock variants { sku availability { status quantity } } } }
  }
}
"""


async def test_listing_statements_with_availability_do_not_grow_with_page_size(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    variants = await bulk_catalog(runtime, 110)
    warehouse = await location(runtime, "warehouse")
    for slug in ("p000", "p050", "p099"):
        await stock(runtime, variants[slug][1], warehouse, 9)

    counts: dict[tuple[int, bool | None], int] = {}
    bodies: dict[tuple[int, bool | None], dict[str, Any]] = {}
    for first in (20, 100):
        for in_stock in (None, True):
            count_statements.reset()
            bodies[(first, in_stock)] = await gql(LISTING, {"first": first, "inStock": in_stock})
            counts[(first, in_stock)] = count_statements.count

    edges = bodies[(100, None)]["data"]["products"]["edges"]
    assert len(edges) == 100
    assert edges[50]["node"]["variants"][1]["availability"] == {
        "status": "IN_STOCK",
        "quantity": 9,
    }
    assert edges[50]["node"]["inStock"] is True
    assert edges[51]["node"]["inStock"] is False
    assert len(bodies[(100, True)]["data"]["products"]["edges"]) == 3
    # channel, products, variants with prices and stock: whatever the page size
    assert counts == {(20, None): 3, (100, None): 3, (20, True): 3, (100, True): 3}
