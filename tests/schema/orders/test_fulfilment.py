"""Fulfilment through GraphQL (issue 14): shipping from warehouses and stores, split
lines, capture on the first fulfilment, cancellation of what is left, and staff
tokens scoped to a location."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from core.channels import services as channels
from core.channels.model import PaymentCapture
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories import GraphQLClient, bearer, staff_token
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop
from tests.factories.orders import FULFIL, GATEWAY, checkout, owner_view, prepare

CANCEL = """
mutation ($id: ID!) { orderCancel(id: $id, reason: "out of stock") {
  order { status } errors { code } } }
"""


async def place_shipping(
    runtime: Runtime, gql: GraphQLClient, shop: DeliveryShop, quantity: int
) -> dict[str, Any]:
    token = await make_cart(runtime, shop, (quantity,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    placed = await checkout(gql, token)
    assert placed["errors"] == [], placed
    return {**placed, "order": await owner_view(gql, placed["orderToken"])}


def location_id(shop: DeliveryShop, slug: str) -> str:
    return to_global_id("Location", shop.location(slug).id)


async def fulfil(
    staff: GraphQLClient,
    order: dict[str, Any],
    location: str,
    quantity: int,
    tracking: dict[str, str] | None = None,
) -> dict[str, Any]:
    body = await staff(
        FULFIL,
        {
            "order": order["id"],
            "location": location,
            "lines": [{"orderLineId": order["lines"][0]["id"], "quantity": quantity}],
            "tracking": tracking,
        },
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["fulfilmentCreate"]
    return payload


async def stock(runtime: Runtime) -> list[tuple[str, int, int]]:
    """(location slug, on hand, reserved) of every stock level with any stock."""
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT l.slug, s.on_hand, s.reserved FROM stock_levels AS s JOIN locations AS l "
                "ON l.id = s.location_id WHERE s.on_hand > 0 OR s.reserved > 0 ORDER BY l.slug"
            )
        )
        return [tuple(row) for row in rows.all()]


async def fulfilment_movements(runtime: Runtime) -> list[tuple[str, int, str]]:
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT kind, delta, reason FROM stock_movements WHERE kind = 'fulfilment' "
                "ORDER BY id"
            )
        )
        return [tuple(row) for row in rows.all()]


async def shop_with_store_shipping(runtime: Runtime, *, enabled: bool) -> DeliveryShop:
    shop = await make_delivery_shop(
        runtime, stock={(0, "warehouse"): 2, (0, "centre"): 5}, extra_plugins=(GATEWAY,)
    )
    await channels.update_location(
        runtime.uow(), location_id=shop.centre.id, ship_from_store_enabled=enabled
    )
    return shop


async def test_a_line_split_between_a_warehouse_and_a_store_ships_from_both(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await shop_with_store_shipping(runtime, enabled=True)
    placed = await place_shipping(runtime, gql, shop, 3)
    order = placed["order"]
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))

    first = await fulfil(
        staff,
        order,
        location_id(shop, "warehouse"),
        1,
        {"carrier": "DHL", "number": "JD0001", "url": "https://dhl.example/JD0001"},
    )
    second = await fulfil(staff, order, location_id(shop, "warehouse"), 1)
    last = await fulfil(staff, order, location_id(shop, "centre"), 1)

    assert first["errors"] == [] and second["errors"] == [] and last["errors"] == []
    assert first["order"]["status"] == "PARTIALLY_FULFILLED"
    assert first["order"]["paymentStatus"] == "CAPTURED"
    assert first["fulfilment"]["tracking"] == {
        "carrier": "DHL",
        "number": "JD0001",
        "url": "https://dhl.example/JD0001",
    }
    done = last["order"]
    assert done["status"] == "FULFILLED"
    assert done["version"] > first["order"]["version"] > order["version"]
    assert [(f["location"]["slug"], f["method"], f["status"]) for f in done["fulfilments"]] == [
        ("warehouse", "SHIPPING", "SHIPPED"),
        ("warehouse", "SHIPPING", "SHIPPED"),
        ("centre-store", "SHIPPING", "SHIPPED"),
    ]
    assert [h["status"] for h in done["history"]] == [
        "PLACED",
        "PARTIALLY_FULFILLED",
        "PARTIALLY_FULFILLED",
        "PARTIALLY_FULFILLED",
        "FULFILLED",
    ]
    assert [h["paymentStatus"] for h in done["history"]][2] == "CAPTURED"
    # Units left on hand and the allocation together; each movement names its fulfilment.
    assert await stock(runtime) == [("centre-store", 4, 0)]
    movements = await fulfilment_movements(runtime)
    assert [(kind, delta) for kind, delta, _ in movements] == [("fulfilment", -1)] * 3
    assert all(reason.startswith("Fulfilment ") for _, _, reason in movements)
    assert order["number"] in movements[0][2]


async def test_refusals_name_the_line_and_change_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await shop_with_store_shipping(runtime, enabled=False)
    placed = await place_shipping(runtime, gql, shop, 3)
    order = placed["order"]
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    before = await stock(runtime)

    from_store = await fulfil(staff, order, location_id(shop, "centre"), 1)
    too_many_here = await fulfil(staff, order, location_id(shop, "warehouse"), 3)
    too_many = await fulfil(staff, order, location_id(shop, "warehouse"), 4)
    reader = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_READ, name="r")))
    unscoped = await reader(
        FULFIL,
        {
            "order": order["id"],
            "location": location_id(shop, "warehouse"),
            "lines": [{"orderLineId": order["lines"][0]["id"], "quantity": 1}],
        },
    )

    assert [e["code"] for e in from_store["errors"]] == ["SHIP_FROM_STORE_DISABLED"]
    assert [(e["code"], e["field"]) for e in too_many_here["errors"]] == [
        ("QUANTITY_NOT_ALLOCATED", ["lines", "0", "quantity"])
    ]
    assert [(e["code"], e["field"]) for e in too_many["errors"]] == [
        ("QUANTITY_EXCEEDS_UNFULFILLED", ["lines", "0", "quantity"])
    ]
    assert unscoped["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await stock(runtime) == before
    assert await fulfilment_movements(runtime) == []


async def test_cancelling_after_a_partial_fulfilment_releases_only_the_rest(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await shop_with_store_shipping(runtime, enabled=True)
    placed = await place_shipping(runtime, gql, shop, 3)
    order = placed["order"]
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    await fulfil(staff, order, location_id(shop, "warehouse"), 1)

    cancelled = await staff(CANCEL, {"id": order["id"]})

    assert cancelled["data"]["orderCancel"]["errors"] == []
    assert cancelled["data"]["orderCancel"]["order"]["status"] == "CANCELLED"
    # One unit shipped from the warehouse; the other warehouse unit and the store's
    # unit are back on sale, nothing is reserved.
    assert await stock(runtime) == [("centre-store", 5, 0), ("warehouse", 1, 0)]


async def test_a_location_scoped_token_is_refused_at_another_location(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await shop_with_store_shipping(runtime, enabled=True)
    placed = await place_shipping(runtime, gql, shop, 3)
    order = placed["order"]
    store_staff = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_MANAGE, locations=["centre-store"]))
    )

    async def run(location: str) -> Any:
        variables = {
            "order": order["id"],
            "location": location,
            "lines": [{"orderLineId": order["lines"][0]["id"], "quantity": 1}],
        }
        return await store_staff(FULFIL, variables)

    elsewhere = await run(location_id(shop, "warehouse"))
    own = await run(location_id(shop, "centre"))

    assert [e["extensions"]["code"] for e in elsewhere["errors"]] == ["FORBIDDEN"]
    assert "errors" not in own, own
    assert own["data"]["fulfilmentCreate"]["errors"] == []
    assert await stock(runtime) == [("centre-store", 4, 0), ("warehouse", 2, 2)]


async def test_a_channel_capturing_at_placement_captures_at_checkout(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await shop_with_store_shipping(runtime, enabled=True)
    await channels.update_channel(
        runtime.uow(), channel_id=shop.channel.id, payment_capture=PaymentCapture.AT_PLACEMENT
    )
    runtime.channels.forget()

    placed = await place_shipping(runtime, gql, shop, 1)

    order = placed["order"]
    assert order["paymentStatus"] == "CAPTURED"
    assert [h["paymentStatus"] for h in order["history"]] == ["AUTHORIZED", "CAPTURED"]
