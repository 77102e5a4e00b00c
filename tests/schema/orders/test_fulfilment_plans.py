"""Checkout's plan: a split cart (collect part today, the rest delivered) and a mobile
reserve-in-store paid at pick-up, each group with its locations and price."""

from __future__ import annotations

from sqlalchemy import text

from core.runtime import Runtime
from tests.factories import GraphQLClient
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, PAY_AT_PICKUP, checkout, prepare


async def order_holds(runtime: Runtime) -> list[tuple[str, int, str, int]]:
    """(owner kind, variant, location slug, quantity) of every reservation."""
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT r.owner_kind, r.variant_id, l.slug, r.quantity FROM reservations AS r "
                "JOIN locations AS l ON l.id = r.location_id ORDER BY r.variant_id, l.slug"
            )
        )
        return [tuple(row) for row in rows.all()]


async def test_a_split_cart_becomes_a_pickup_group_and_a_delivery_group(
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

    placed = await checkout(gql, token)

    assert placed["errors"] == []
    order = placed["order"]
    pickup, shipping = order["deliveryGroups"]
    assert (pickup["method"], pickup["location"], pickup["cost"]) == (
        "PICKUP",
        {"slug": "centre-store"},
        {"amount": "0.00"},
    )
    assert [(u["quantity"], u["location"]["slug"]) for u in pickup["lines"]] == [
        (1, "centre-store")
    ]
    assert (shipping["method"], shipping["location"], shipping["cost"]) == (
        "SHIPPING",
        None,
        {"amount": "19.99"},
    )
    assert [(u["quantity"], u["location"]["slug"]) for u in shipping["lines"]] == [(1, "warehouse")]
    assert order["cost"]["totalAmount"]["amount"] == "139.99"
    # The cart's holds became the order's allocations at the planned locations.
    assert await order_holds(runtime) == [
        ("order", shop.variants[0], "centre-store", 1),
        ("order", shop.variants[1], "warehouse", 1),
    ]


async def test_reserve_in_store_on_mobile_is_paid_at_pickup(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime,
        plugin="mobile",
        stock={(0, "centre"): 3, (0, "warehouse"): 3},
        extra_plugins=(PAY_AT_PICKUP, GATEWAY),
    )
    token = await make_cart(runtime, shop, (2,))
    await prepare(gql, token, handles={"delivery-1": "reserve:centre-store"}, address=None)

    placed = await checkout(gql, token, provider="pay-at-pickup")

    assert placed["errors"] == []
    order = placed["order"]
    assert order["paymentStatus"] == "PENDING" and order["status"] == "PLACED"
    [group] = order["deliveryGroups"]
    assert group["method"] == "PICKUP" and group["payAtPickup"] is True
    assert group["location"] == {"slug": "centre-store"}
    assert await order_holds(runtime) == [("order", shop.variants[0], "centre-store", 2)]


async def test_pay_at_pickup_is_refused_for_a_delivery(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime,
        plugin="mobile",
        stock={(0, "warehouse"): 3},
        extra_plugins=(PAY_AT_PICKUP, GATEWAY),
    )
    token = await make_cart(runtime, shop, (1,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})

    refused = await checkout(gql, token, provider="pay-at-pickup")

    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        (["payment", "provider"], "PAYMENT_REQUIRES_PICKUP")
    ]
    assert await order_holds(runtime) == [("cart", shop.variants[0], "warehouse", 1)]
