"""Staff tokens scoped to a location (issue 14, point 1): they read the orders with work
at their stores and are refused every other one, on both databases."""

from __future__ import annotations

from typing import Any

from core.runtime import Runtime
from core.staff.model import Scope
from tests.factories import GraphQLClient, bearer, staff_token
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare
from tests.factories.returns import RETURN_CREATE, RETURN_RECEIVE, collected_order, location_id

ORDERS = "query { orders(first: 10) { nodes { number } } }"
ORDER = "query ($id: ID!) { order(id: $id) { number } }"
CANCEL = """
mutation ($id: ID!) {
  orderCancel(id: $id, reason: "out of stock") { order { status } errors { code } }
}
"""


async def collect_at(
    runtime: Runtime, gql: GraphQLClient, shop: DeliveryShop, store: str, key: str
) -> dict[str, Any]:
    """A click-and-collect order for pickup at ``store`` ("centre-store", "far-store")."""
    token = await make_cart(runtime, shop, (1,))
    await prepare(gql, token, handles={"delivery-1": f"pickup:{store}"}, address=None)
    placed = await checkout(gql, token, key=key)
    assert placed["errors"] == [], placed
    order: dict[str, Any] = placed["order"]
    return order


async def test_a_store_token_reads_its_stores_orders_and_no_other(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "centre"): 2, (0, "far"): 2}, extra_plugins=(GATEWAY,)
    )
    at_centre = await collect_at(runtime, gql, shop, "centre-store", "checkout-key-00001")
    at_far = await collect_at(runtime, gql, shop, "far-store", "checkout-key-00002")
    centre_staff = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_READ, locations=["centre-store"]))
    )
    head_office = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_READ)))

    listed = await centre_staff(ORDERS, {})
    own = await centre_staff(ORDER, {"id": at_centre["id"]})
    other = await centre_staff(ORDER, {"id": at_far["id"]})
    everything = await head_office(ORDERS, {})

    assert listed["data"]["orders"]["nodes"] == [{"number": at_centre["number"]}]
    assert own["data"]["order"] == {"number": at_centre["number"]}
    assert other["data"]["order"] is None
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]
    assert [o["number"] for o in everything["data"]["orders"]["nodes"]] == [
        at_far["number"],
        at_centre["number"],
    ]


async def test_a_store_token_sees_orders_its_store_supplies(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "far"): 2}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (1,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    shipped = (await checkout(gql, token))["order"]
    far_staff = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_READ, locations=["far-store"]))
    )
    warehouse_staff = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_READ, name="wh", locations=["warehouse"]))
    )

    seen = await far_staff(ORDERS, {})
    unseen = await warehouse_staff(ORDERS, {})

    assert [u["location"]["slug"] for u in shipped["deliveryGroups"][0]["lines"]] == ["far-store"]
    assert seen["data"]["orders"]["nodes"] == [{"number": shipped["number"]}]
    assert unseen["data"]["orders"]["nodes"] == []


async def test_a_store_token_cannot_cancel_another_stores_order(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "centre"): 2, (0, "far"): 2}, extra_plugins=(GATEWAY,)
    )
    at_far = await collect_at(runtime, gql, shop, "far-store", "checkout-key-00001")
    centre_staff = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_MANAGE, locations=["centre-store"]))
    )
    reader = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_READ, name="r")))

    refused = await centre_staff(CANCEL, {"id": at_far["id"]})
    after = await reader("query ($id: ID!) { order(id: $id) { status } }", {"id": at_far["id"]})

    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert after["data"]["order"] == {"status": "PLACED"}


async def test_the_list_and_the_order_agree_on_where_an_order_has_work(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "centre"): 2, (1, "warehouse"): 4}, extra_plugins=(GATEWAY,)
    )
    token = await make_cart(runtime, shop, (1, 1))
    await prepare(
        gql,
        token,
        handles={"delivery-1": "pickup-now:centre-store", "delivery-2": "shipping:standard"},
    )
    split = (await checkout(gql, token))["order"]
    seen: dict[str, tuple[bool, bool]] = {}

    for slug in ("warehouse", "centre-store", "far-store"):
        client = gql.with_headers(
            **bearer(await staff_token(runtime, Scope.ORDERS_READ, name=slug, locations=[slug]))
        )
        listed = await client(ORDERS, {})
        one = await client(ORDER, {"id": split["id"]})
        seen[slug] = (bool(listed["data"]["orders"]["nodes"]), one["data"]["order"] is not None)

    assert seen == {
        "warehouse": (True, True),
        "centre-store": (True, True),
        "far-store": (False, False),
    }


async def test_a_store_that_received_a_return_sees_the_order(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    done = await collected_order(runtime, gql)
    far_staff = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_READ, name="far", locations=["far-store"]))
    )
    unseen = await far_staff(ORDER, {"id": done.order["id"]})
    lines = [{"orderLineId": done.line_id, "quantity": 1, "reason": "too small"}]
    made = (await done.staff(RETURN_CREATE, {"order": done.order["id"], "lines": lines}))["data"]
    received_lines = [
        {
            "returnLineId": made["returnCreate"]["return"]["lines"][0]["id"],
            "quantity": 1,
            "disposition": "RESTOCK",
        }
    ]
    received = await done.staff(
        RETURN_RECEIVE,
        {
            "return": made["returnCreate"]["return"]["id"],
            "location": location_id(done.shop, "far"),
            "lines": received_lines,
        },
    )

    seen = await far_staff(ORDER, {"id": done.order["id"]})
    listed = await far_staff(ORDERS, {})

    assert [e["extensions"]["code"] for e in unseen["errors"]] == ["FORBIDDEN"]
    assert received["data"]["returnReceive"]["errors"] == []
    assert seen["data"]["order"] == {"number": done.order["number"]}
    assert listed["data"]["orders"]["nodes"] == [{"number": done.order["number"]}]
