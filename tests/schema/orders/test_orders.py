"""Reading and cancelling orders: the customer's own, a guest's by token, staff's with
scopes; cancelling releases the allocations and voids the payment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from core.carts import services as carts
from core.runtime import Runtime
from core.staff.model import Scope
from tests.factories import GraphQLClient, bearer, log_in_customer, make_customer, staff_token
from tests.factories.delivery import DeliveryShop, make_delivery_shop
from tests.factories.orders import GATEWAY, ORDER, checkout, prepare

MY_ORDERS = f"""
query ($first: Int, $after: String) {{
  me {{ orders(first: $first, after: $after) {{
    nodes {{ {ORDER} }} pageInfo {{ hasNextPage endCursor }}
  }} }}
}}
"""

STAFF_ORDERS = """
query ($filter: OrderFilterInput) {
  orders(filter: $filter, first: 10) { nodes { number status email } }
}
"""

STAFF_ORDER = "query ($id: ID!) { order(id: $id) { number } }"

CANCEL = f"""
mutation ($id: ID!, $reason: String!, $token: String) {{
  orderCancel(id: $id, reason: $reason, token: $token) {{
    order {{ {ORDER} }}
    errors {{ field code message }}
  }}
}}
"""


async def place(
    runtime: Runtime,
    gql: GraphQLClient,
    shop: DeliveryShop,
    *,
    email: str = "ann@example.com",
    key: str = "checkout-key-00001",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    made = await carts.create_cart(
        runtime.uow(),
        channel_id=shop.channel.id,
        lines=[carts.LineInput(shop.variants[0], 1)],
        caller=carts.Caller(),
    )
    assert made.token is not None
    client = gql if headers is None else gql.with_headers(**headers)
    await prepare(client, made.token, handles={"delivery-1": "shipping:standard"}, email=email)
    placed = await checkout(client, made.token, key=key)
    assert placed["errors"] == [], placed
    return placed


async def reserved(runtime: Runtime) -> list[tuple[str, int]]:
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text("SELECT owner_kind, quantity FROM reservations ORDER BY id")
        )
        return [tuple(row) for row in rows.all()]


async def test_staff_read_every_order_with_orders_read_and_only_with_it(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 9}, extra_plugins=(GATEWAY,))
    first = await place(runtime, gql, shop, email="ann@example.com", key="checkout-key-00001")
    second = await place(runtime, gql, shop, email="bob@example.com", key="checkout-key-00002")
    reader = bearer(await staff_token(runtime, Scope.ORDERS_READ))
    other = bearer(await staff_token(runtime, Scope.CATALOG_WRITE, name="catalog"))

    listed = await gql.with_headers(**reader)(STAFF_ORDERS, {})
    filtered = await gql.with_headers(**reader)(
        STAFF_ORDERS, {"filter": {"email": "BOB@example.com", "channel": "shop"}}
    )
    one = await gql.with_headers(**reader)(STAFF_ORDER, {"id": first["order"]["id"]})
    forbidden = await gql.with_headers(**other)(STAFF_ORDERS, {})
    anonymous = await gql(STAFF_ORDERS, {})

    assert [o["number"] for o in listed["data"]["orders"]["nodes"]] == [
        second["order"]["number"],
        first["order"]["number"],
    ]
    assert [o["email"] for o in filtered["data"]["orders"]["nodes"]] == ["bob@example.com"]
    assert one["data"]["order"]["number"] == first["order"]["number"]
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_customer_reads_their_own_orders_and_never_anothers(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 9}, extra_plugins=(GATEWAY,))
    await make_customer(runtime, email="ann@example.com")
    await make_customer(runtime, email="bob@example.com")
    ann = bearer((await log_in_customer(runtime, email="ann@example.com")).token)
    bob = bearer((await log_in_customer(runtime, email="bob@example.com")).token)
    anns = await place(runtime, gql, shop, headers=ann, key="checkout-key-00001")
    guest = await place(runtime, gql, shop, key="checkout-key-00002")

    mine = await gql.with_headers(**ann)(MY_ORDERS, {"first": 10})
    theirs = await gql.with_headers(**bob)(MY_ORDERS, {"first": 10})
    bob_cancels = await gql.with_headers(**bob)(
        CANCEL, {"id": anns["order"]["id"], "reason": "mine now"}
    )
    nobody = await gql(CANCEL, {"id": anns["order"]["id"], "reason": "x"})
    wrong_token = await gql(
        CANCEL, {"id": anns["order"]["id"], "reason": "x", "token": guest["orderToken"]}
    )

    numbers = [o["number"] for o in mine["data"]["me"]["orders"]["nodes"]]
    assert numbers == [anns["order"]["number"]]
    assert mine["data"]["me"]["orders"]["nodes"][0]["customerId"] is not None
    assert theirs["data"]["me"]["orders"]["nodes"] == []
    assert [e["code"] for e in bob_cancels["data"]["orderCancel"]["errors"]] == ["ORDER_NOT_FOUND"]
    assert nobody["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert [e["code"] for e in wrong_token["data"]["orderCancel"]["errors"]] == ["ORDER_NOT_FOUND"]


async def test_cancelling_releases_the_allocations_and_voids_the_payment(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 9}, extra_plugins=(GATEWAY,))
    placed = await place(runtime, gql, shop)
    assert await reserved(runtime) == [("order", 1)]

    cancelled = await gql(
        CANCEL,
        {"id": placed["order"]["id"], "reason": "changed my mind", "token": placed["orderToken"]},
    )
    again = await gql(
        CANCEL, {"id": placed["order"]["id"], "reason": "twice", "token": placed["orderToken"]}
    )

    order = cancelled["data"]["orderCancel"]["order"]
    assert cancelled["data"]["orderCancel"]["errors"] == []
    assert (order["status"], order["paymentStatus"]) == ("CANCELLED", "VOIDED")
    assert [(h["status"], h["paymentStatus"], h["actor"], h["note"]) for h in order["history"]] == [
        ("PLACED", "AUTHORIZED", "guest", "Placed in shop"),
        ("CANCELLED", "VOIDED", "guest", "Cancelled: changed my mind"),
    ]
    assert await reserved(runtime) == []
    assert [e["code"] for e in again["data"]["orderCancel"]["errors"]] == ["ORDER_STATUS_INVALID"]


async def test_staff_cancel_with_orders_manage(runtime: Runtime, gql: GraphQLClient) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 9}, extra_plugins=(GATEWAY,))
    placed = await place(runtime, gql, shop)
    reader = bearer(await staff_token(runtime, Scope.ORDERS_READ, name="reader"))
    manager = bearer(await staff_token(runtime, Scope.ORDERS_MANAGE, name="Maria"))

    refused = await gql.with_headers(**reader)(CANCEL, {"id": placed["order"]["id"], "reason": "x"})
    done = await gql.with_headers(**manager)(
        CANCEL, {"id": placed["order"]["id"], "reason": "out of stock"}
    )

    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    order = done["data"]["orderCancel"]["order"]
    assert order["status"] == "CANCELLED"
    assert order["history"][-1]["actor"] == "staff:Maria"
    assert await reserved(runtime) == []
