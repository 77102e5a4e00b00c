"""Click and collect through GraphQL (issue 14): ready, the owner's code, a wrong code
refused, collected and paid at pickup; rerouting an allocation, and its refusal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories import GraphQLClient, bearer, staff_token
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop
from tests.factories.orders import (
    GATEWAY,
    PAY_AT_PICKUP,
    PICKED_UP,
    READY,
    REROUTE,
    STAFF_ORDER,
    checkout,
    owner_view,
    prepare,
)

STAFF_READ = f"query ($id: ID!) {{ order(id: $id) {{ {STAFF_ORDER} }} }}"


def at(shop: DeliveryShop, slug: str) -> str:
    return to_global_id("Location", shop.location(slug).id)


async def holds(runtime: Runtime) -> list[tuple[str, int]]:
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT l.slug, r.quantity FROM reservations AS r JOIN locations AS l "
                "ON l.id = r.location_id ORDER BY l.slug"
            )
        )
        return [tuple(row) for row in rows.all()]


async def test_click_and_collect_ready_code_wrong_code_collected_and_paid(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime,
        plugin="mobile",
        stock={(0, "centre"): 3},
        extra_plugins=(PAY_AT_PICKUP, GATEWAY),
    )
    token = await make_cart(runtime, shop, (2,))
    await prepare(gql, token, handles={"delivery-1": "reserve:centre-store"}, address=None)
    placed = await checkout(gql, token, provider="pay-at-pickup")
    order_id = placed["order"]["id"]
    scopes = (Scope.ORDERS_MANAGE, Scope.ORDERS_READ)
    staff = gql.with_headers(**bearer(await staff_token(runtime, *scopes)))
    where = {"order": order_id, "location": at(shop, "centre")}

    ready = (await staff(READY, where))["data"]["orderReadyForPickup"]
    owner = await owner_view(gql, placed["orderToken"])
    staff_sees = (await staff(STAFF_READ, {"id": order_id}))["data"]["order"]
    wrong = (await staff(PICKED_UP, {**where, "code": "WRONG1"}))["data"]["orderPickupComplete"]
    after_wrong = await owner_view(gql, placed["orderToken"])
    held_after_wrong = await holds(runtime)
    code = owner["pickups"][0]["code"]
    collected = (await staff(PICKED_UP, {**where, "code": code.lower()}))["data"][
        "orderPickupComplete"
    ]

    assert ready["errors"] == []
    assert ready["order"]["status"] == "READY_FOR_PICKUP"
    assert ready["order"]["pickups"][0]["code"] is None  # staff never see the code
    assert staff_sees["pickups"][0]["code"] is None
    assert len(code) == 6 and owner["pickups"][0]["collectedAt"] is None
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [
        ("PICKUP_CODE_INVALID", ["pickupCode"])
    ]
    assert after_wrong["status"] == "READY_FOR_PICKUP"
    assert after_wrong["version"] == owner["version"]
    assert held_after_wrong == [("centre-store", 2)]
    assert collected["errors"] == []
    done = collected["order"]
    assert done["status"] == "COMPLETED" and done["paymentStatus"] == "CAPTURED"
    assert collected["fulfilment"]["method"] == "PICKUP"
    assert collected["fulfilment"]["status"] == "COLLECTED"
    assert done["pickups"][0]["collectedAt"] is not None
    assert [h["status"] for h in done["history"]] == [
        "PLACED",
        "READY_FOR_PICKUP",
        "COMPLETED",
        "COMPLETED",
    ]
    assert done["history"][-1]["paymentStatus"] == "CAPTURED"
    assert await holds(runtime) == []


async def test_a_pickup_needs_a_pickup_location_and_to_be_ready(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime,
        plugin="mobile",
        stock={(0, "centre"): 3},
        extra_plugins=(PAY_AT_PICKUP, GATEWAY),
    )
    token = await make_cart(runtime, shop, (1,))
    await prepare(gql, token, handles={"delivery-1": "reserve:centre-store"}, address=None)
    placed = await checkout(gql, token, provider="pay-at-pickup")
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    order_id = placed["order"]["id"]

    elsewhere = await staff(READY, {"order": order_id, "location": at(shop, "far")})
    early = await staff(
        PICKED_UP, {"order": order_id, "location": at(shop, "centre"), "code": "AAAAAA"}
    )

    assert [e["code"] for e in elsewhere["data"]["orderReadyForPickup"]["errors"]] == [
        "NOT_A_PICKUP_LOCATION"
    ]
    assert [e["code"] for e in early["data"]["orderPickupComplete"]["errors"]] == [
        "PICKUP_NOT_READY"
    ]


async def place(runtime: Runtime, gql: GraphQLClient, shop: DeliveryShop) -> dict[str, Any]:
    token = await make_cart(runtime, shop, (2,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    placed = await checkout(gql, token)
    assert placed["errors"] == [], placed
    return {**await owner_view(gql, placed["orderToken"]), "_token": placed["orderToken"]}


async def test_a_reroute_moves_the_allocation_to_the_next_location(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime,
        stock={(0, "warehouse"): 2, (0, "far"): 5},
        extra_plugins=(GATEWAY,),
    )
    order = await place(runtime, gql, shop)
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    lines = [{"orderLineId": order["lines"][0]["id"], "quantity": 1}]

    body = await staff(
        REROUTE, {"order": order["id"], "from": at(shop, "warehouse"), "lines": lines}
    )

    payload = body["data"]["allocationReroute"]
    assert payload["errors"] == []
    rerouted = payload["order"]
    [group] = rerouted["deliveryGroups"]
    assert sorted((u["location"]["slug"], u["quantity"]) for u in group["lines"]) == [
        ("far-store", 1),
        ("warehouse", 1),
    ]
    assert group["estimatedAt"] >= order["deliveryGroups"][0]["estimatedAt"]
    assert rerouted["version"] > order["version"]
    assert rerouted["history"][-1]["note"].startswith("Rerouted from")
    assert await holds(runtime) == [("far-store", 1), ("warehouse", 1)]


async def test_a_reroute_with_nowhere_to_go_is_refused_and_changes_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 2}, extra_plugins=(GATEWAY,))
    order = await place(runtime, gql, shop)
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    lines = [{"orderLineId": order["lines"][0]["id"], "quantity": 2}]

    body = await staff(
        REROUTE, {"order": order["id"], "from": at(shop, "warehouse"), "lines": lines}
    )

    payload = body["data"]["allocationReroute"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "0", "quantity"])
    ]
    assert await holds(runtime) == [("warehouse", 2)]
    assert (await owner_view(gql, order_token_of(order)))["version"] == order["version"]


def order_token_of(order: dict[str, Any]) -> str:
    token: str = order["_token"]
    return token
