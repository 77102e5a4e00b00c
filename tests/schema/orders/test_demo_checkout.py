"""The demo shop (``omnicart serve --demo``) takes an order: a web cart checked out with
home delivery and the test gateway, a mobile cart reserved in store and paid at pickup."""

from __future__ import annotations

from sqlalchemy import text

from core.carts import services as carts
from core.demo.seed import seed_demo
from core.ids import ChannelId, VariantId
from core.runtime import Runtime
from tests.factories import GraphQLClient
from tests.factories.orders import checkout, prepare


async def stocked_variant(runtime: Runtime, store: str) -> VariantId:
    """A variant the location ``store`` holds at least 2 of."""
    async with runtime.reads.connect() as connection:
        found = (
            await connection.execute(
                text(
                    "SELECT s.variant_id FROM stock_levels AS s JOIN locations AS l "
                    "ON l.id = s.location_id WHERE l.slug = :slug AND s.on_hand >= 2 "
                    "ORDER BY s.variant_id LIMIT 1"
                ),
                {"slug": store},
            )
        ).scalar_one()
    return VariantId(found)


async def cart_in(runtime: Runtime, slug: str, variant: VariantId) -> str:
    channel = await runtime.channels.by_slug(slug)
    assert channel is not None
    made = await carts.create_cart(
        runtime.uow(), channel_id=ChannelId(channel.id), lines=[carts.LineInput(variant, 1)]
    )
    assert made.token is not None
    return made.token


async def test_the_demo_web_shop_and_app_take_orders(runtime: Runtime, gql: GraphQLClient) -> None:
    await seed_demo(runtime)
    web = await cart_in(runtime, "web", await stocked_variant(runtime, "blonie-warehouse"))
    app = await cart_in(runtime, "mobile", await stocked_variant(runtime, "warszawa-store"))
    await prepare(gql, web, handles={"delivery-1": "shipping:standard"})
    await prepare(gql, app, handles={"delivery-1": "reserve:warszawa-store"}, address=None)

    delivered = await checkout(gql, web, key="demo-web-checkout-1")
    collected = await checkout(gql, app, key="demo-app-checkout-1", provider="pay-at-pickup")

    assert delivered["errors"] == [] and delivered["order"]["paymentStatus"] == "AUTHORIZED"
    assert delivered["order"]["deliveryGroups"][0]["method"] == "SHIPPING"
    assert collected["errors"] == [] and collected["order"]["paymentStatus"] == "PENDING"
    assert collected["order"]["deliveryGroups"][0]["location"] == {"slug": "warszawa-store"}
