"""The omnichannel journey of issue 14 as one test, through GraphQL: a web cart resumed
on mobile, collected at store A, returned at store B in the store channel, restocked at
B and refunded; the order shows it all."""

from __future__ import annotations

from sqlalchemy import text

from core.catalog import services as catalog
from core.channels.model import ChannelKind, EnabledPlugin
from core.ids import ProductId
from core.money import Money
from core.runtime import Runtime
from core.staff.model import Scope
from tests.factories import GraphQLClient, bearer, make_channel, staff_token
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.events import stored_events
from tests.factories.orders import GATEWAY, PICKED_UP, READY, checkout, owner_view, prepare
from tests.factories.returns import (
    REFUND_CREATE,
    RETURN_CREATE,
    RETURN_ORDER,
    RETURN_RECEIVE,
    location_id,
    movements,
    on_hand,
)

RESUME = """
mutation ($token: String!, $channel: String!) {
  cartResume(token: $token, channel: $channel) {
    cart { channel { slug } }
    errors { field code }
  }
}
"""

OWNER_READ = f"query ($token: String!) {{ orderByToken(token: $token) {{ {RETURN_ORDER} }} }}"


async def test_bought_on_the_web_finished_on_mobile_collected_at_a_returned_at_b(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    # Given: the web shop; the mobile app selling the same boots; store B's till channel.
    shop = await make_delivery_shop(
        runtime, plugin="web", stock={(0, "centre"): 3, (0, "far"): 1}, extra_plugins=(GATEWAY,)
    )
    stores = [shop.warehouse, shop.centre, shop.far]
    mobile = await make_channel(
        runtime,
        slug="mobile",
        kind=ChannelKind.MOBILE,
        currency="PLN",
        plugins=[EnabledPlugin("mobile", {}), GATEWAY],
        locations=stores,
    )
    async with runtime.reads.connect() as connection:
        product_id = ProductId(
            (
                await connection.execute(
                    text("SELECT product_id FROM variants WHERE id = :id"),
                    {"id": shop.variants[0]},
                )
            ).scalar_one()
        )
    await catalog.set_listing(
        runtime.uow(), product_id=product_id, channel_id=mobile.id, is_published=True
    )
    await catalog.set_variant_price(
        runtime.uow(),
        variant_id=shop.variants[0],
        channel_id=mobile.id,
        price=Money.parse("60.00", "PLN"),
    )
    await make_channel(
        runtime, slug="far-till", kind=ChannelKind.STORE, currency="PLN", locations=[shop.far]
    )
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    web_cart = await make_cart(runtime, shop, (1,))

    # When: resumed on mobile, collected at store A, returned and received at store B.
    resumed = (await gql(RESUME, {"token": web_cart, "channel": "mobile"}))["data"]["cartResume"]
    await prepare(gql, web_cart, handles={"delivery-1": "reserve:centre-store"}, address=None)
    placed = await checkout(gql, web_cart)
    order_id = placed["order"]["id"]
    at_a = {"order": order_id, "location": location_id(shop, "centre")}
    ready = (await staff(READY, at_a))["data"]["orderReadyForPickup"]
    code = (await owner_view(gql, placed["orderToken"]))["pickups"][0]["code"]
    collected = (await staff(PICKED_UP, {**at_a, "code": code}))["data"]["orderPickupComplete"]
    line_id = collected["order"]["lines"][0]["id"]
    returned = (
        await staff(
            RETURN_CREATE,
            {
                "order": order_id,
                "lines": [{"orderLineId": line_id, "quantity": 1, "reason": "wrong size"}],
                "channel": "far-till",
            },
        )
    )["data"]["returnCreate"]
    received = (
        await staff(
            RETURN_RECEIVE,
            {
                "return": returned["return"]["id"],
                "location": location_id(shop, "far"),
                "lines": [
                    {
                        "returnLineId": returned["return"]["lines"][0]["id"],
                        "quantity": 1,
                        "disposition": "RESTOCK",
                    }
                ],
            },
        )
    )["data"]["returnReceive"]
    refunded = (
        await staff(
            REFUND_CREATE,
            {
                "order": order_id,
                "key": "journey-refund-1",
                "lines": [{"orderLineId": line_id, "quantity": 1}],
                "reason": "returned at the far store",
            },
        )
    )["data"]["refundCreate"]
    order = (await gql(OWNER_READ, {"token": placed["orderToken"]}))["data"]["orderByToken"]

    # Then: every step answered, store B has the unit back, the order shows it all.
    assert resumed["errors"] == [] and resumed["cart"]["channel"]["slug"] == "mobile"
    assert placed["errors"] == [] and placed["order"]["channel"]["slug"] == "mobile"
    assert ready["errors"] == [] and len(code) == 6
    assert collected["errors"] == [] and collected["order"]["status"] == "COMPLETED"
    assert returned["errors"] == [] and received["errors"] == [] and refunded["errors"] == []
    assert await on_hand(runtime) == {"centre-store": (2, 0), "far-store": (2, 0)}
    [(slug, kind, delta, reason)] = await movements(runtime, ("return",))
    assert (slug, kind, delta) == ("far-store", "return", 1)
    assert order["number"] in reason and "Far store" in reason
    assert order["status"] == "COMPLETED"
    assert order["paymentStatus"] == "REFUNDED"
    assert [p["collectedAt"] is not None for p in order["pickups"]] == [True]
    assert [(f["method"], f["location"]["slug"]) for f in order["fulfilments"]] == [
        ("PICKUP", "centre-store")
    ]
    [made] = order["returns"]
    assert made["status"] == "RECEIVED"
    assert made["channel"] == {"slug": "far-till"} and made["location"] == {"slug": "far-store"}
    assert made["lines"] == [
        {
            "id": returned["return"]["lines"][0]["id"],
            "orderLine": {"id": line_id, "sku": "BOOT-1"},
            "quantity": 1,
            "reason": "wrong size",
            "received": 1,
            "restocked": 1,
            "writtenOff": 0,
        }
    ]
    assert [(r["amount"], r["reason"]) for r in order["refunds"]] == [
        ({"amount": "60.00", "currency": "PLN"}, "returned at the far store")
    ]
    events = [
        (e.payload["type"], e.payload["location_ids"])
        for e in await stored_events(runtime)
        if e.payload.get("type") in ("ReturnCreated", "ReturnReceived", "RefundCreated")
    ]
    centre, far = shop.centre.id, shop.far.id
    assert events == [
        ("ReturnCreated", [far]),  # the till channel's store
        ("ReturnReceived", [far]),
        ("RefundCreated", sorted([centre, far])),
    ]
    assert [h["note"].split(" ")[0] for h in order["history"][-3:]] == [
        "Return",
        "Return",
        "Refunded",
    ]
