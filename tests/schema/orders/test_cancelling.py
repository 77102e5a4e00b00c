"""Cancelling through GraphQL (issue 14): units of lines (``orderLinesCancel``) and whole
orders after part of them was fulfilled: exactly the unfulfilled allocations go back,
only the unfulfilled value is refunded (or never captured), the status follows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from core.channels import services as channels
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories import GraphQLClient, bearer, staff_token
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop
from tests.factories.events import stored_events
from tests.factories.orders import FULFIL, GATEWAY, STAFF_ORDER, checkout, owner_view, prepare

CANCELLED_ORDER = f"""
  {STAFF_ORDER}
  lines {{ cancelledQuantity }}
  refunds {{ amount {{ amount currency }} reason }}
"""
LINES_CANCEL = f"""
mutation ($order: ID!, $lines: [OrderLineQuantityInput!]!, $reason: String) {{
  orderLinesCancel(orderId: $order, lines: $lines, reason: $reason) {{
    order {{ {CANCELLED_ORDER} }}
    errors {{ field code message }}
  }}
}}
"""
CANCEL = f"""
mutation ($id: ID!) {{ orderCancel(id: $id, reason: "customer asked") {{
  order {{ {CANCELLED_ORDER} }} errors {{ field code }} }} }}
"""


async def shipping_order(
    runtime: Runtime, gql: GraphQLClient, quantity: int = 3
) -> tuple[DeliveryShop, dict[str, Any], GraphQLClient]:
    """An order of ``quantity`` units shipped to the customer: 2 planned from the
    warehouse and the rest from the centre store (ship-from-store on), authorised."""
    shop = await make_delivery_shop(
        runtime, stock={(0, "warehouse"): 2, (0, "centre"): 5}, extra_plugins=(GATEWAY,)
    )
    await channels.update_location(
        runtime.uow(), location_id=shop.centre.id, ship_from_store_enabled=True
    )
    token = await make_cart(runtime, shop, (quantity,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    placed = await checkout(gql, token)
    assert placed["errors"] == [], placed
    order = await owner_view(gql, placed["orderToken"])
    staff = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_MANAGE, Scope.ORDERS_READ))
    )
    return shop, order, staff


def at(shop: DeliveryShop, slug: str) -> str:
    return to_global_id("Location", shop.location(slug).id)


async def ship(staff: GraphQLClient, order: dict[str, Any], location: str, units: int) -> None:
    lines = [{"orderLineId": order["lines"][0]["id"], "quantity": units}]
    body = await staff(FULFIL, {"order": order["id"], "location": location, "lines": lines})
    assert body["data"]["fulfilmentCreate"]["errors"] == [], body


async def cancel_units(staff: GraphQLClient, order: dict[str, Any], units: int) -> Any:
    lines = [{"orderLineId": order["lines"][0]["id"], "quantity": units}]
    body = await staff(LINES_CANCEL, {"order": order["id"], "lines": lines, "reason": "gone"})
    assert "errors" not in body, body
    return body["data"]["orderLinesCancel"]


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


async def payment(runtime: Runtime) -> tuple[str, int, int, int]:
    """(status, amount, captured, refunded) of the only payment, in minor units."""
    async with runtime.reads.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT status, amount_minor, captured_minor, refunded_minor FROM payments")
            )
        ).one()
        return (str(row.status), row.amount_minor, row.captured_minor, row.refunded_minor)


def minor(amount: str) -> int:
    return int(amount.replace(".", ""))


async def test_cancelling_units_releases_their_allocation_and_refunds_their_value(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop, order, staff = await shipping_order(runtime, gql)
    await ship(staff, order, at(shop, "warehouse"), 1)

    first = await cancel_units(staff, order, 1)
    last = await cancel_units(staff, order, 1)

    assert first["errors"] == [] and last["errors"] == []
    assert first["order"]["status"] == "PARTIALLY_FULFILLED"
    assert first["order"]["lines"][0]["cancelledQuantity"] == 1
    assert first["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    # One shipped, two cancelled: nothing left to do, and it was shipped.
    assert last["order"]["status"] == "FULFILLED"
    assert last["order"]["lines"][0]["cancelledQuantity"] == 2
    assert [r["amount"] for r in last["order"]["refunds"]] == [
        {"amount": "60.00", "currency": "PLN"},
        {"amount": "60.00", "currency": "PLN"},
    ]
    total = minor(order["cost"]["totalAmount"]["amount"])
    assert await payment(runtime) == ("PARTIALLY_REFUNDED", total, total, 12000)
    # The warehouse shipped one and released one; the store's unit is back on sale.
    assert await stock(runtime) == [("centre-store", 5, 0), ("warehouse", 1, 0)]
    cancelled = [e.payload for e in await stored_events(runtime)]
    cancelled = [p for p in cancelled if p.get("type") == "OrderLinesCancelled"]
    assert [(p["location_ids"], p["status"]) for p in cancelled] == [
        ([shop.warehouse.id], "partially_fulfilled"),
        ([shop.centre.id], "fulfilled"),
    ]
    assert "Cancelled 1 of BOOT-1: gone" in [h["note"] for h in last["order"]["history"]]


async def test_cancelling_more_than_is_left_is_refused_and_writes_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop, order, staff = await shipping_order(runtime, gql)
    await ship(staff, order, at(shop, "warehouse"), 1)
    before = await stock(runtime)
    paid = await payment(runtime)

    refused = await cancel_units(staff, order, 3)

    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("QUANTITY_EXCEEDS_UNFULFILLED", ["lines", "0", "quantity"])
    ]
    assert refused["order"] is None
    assert await stock(runtime) == before
    assert await payment(runtime) == paid
    query = f"query ($id: ID!) {{ order(id: $id) {{ {CANCELLED_ORDER} }} }}"
    reader = await staff(query, {"id": order["id"]})
    assert reader["data"]["order"]["lines"][0]["cancelledQuantity"] == 0
    assert reader["data"]["order"]["refunds"] == []


async def test_cancelling_every_unit_of_an_unfulfilled_order_cancels_it_and_voids_payment(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    _, order, staff = await shipping_order(runtime, gql, quantity=2)

    done = await cancel_units(staff, order, 2)

    assert done["errors"] == []
    assert done["order"]["status"] == "CANCELLED"
    assert done["order"]["paymentStatus"] == "VOIDED"
    assert done["order"]["lines"][0]["cancelledQuantity"] == 2
    assert await stock(runtime) == [("centre-store", 5, 0), ("warehouse", 2, 0)]
    types = [e.payload.get("type") for e in await stored_events(runtime)]
    assert "OrderLinesCancelled" in types and "OrderCancelled" in types


async def test_a_cancelled_unit_is_never_captured(runtime: Runtime, gql: GraphQLClient) -> None:
    shop, order, staff = await shipping_order(runtime, gql)
    await cancel_units(staff, order, 1)  # released at the warehouse, planned first

    await ship(staff, order, at(shop, "warehouse"), 1)
    await ship(staff, order, at(shop, "centre"), 1)

    total = minor(order["cost"]["totalAmount"]["amount"])
    assert await payment(runtime) == ("CAPTURED", total, total - 6000, 0)
    reader = await staff("query ($id: ID!) { order(id: $id) { status } }", {"id": order["id"]})
    assert reader["data"]["order"]["status"] == "FULFILLED"


async def test_cancelling_a_partly_shipped_order_refunds_only_the_unshipped_units(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop, order, staff = await shipping_order(runtime, gql)
    await ship(staff, order, at(shop, "warehouse"), 1)

    body = await staff(CANCEL, {"id": order["id"]})

    cancelled = body["data"]["orderCancel"]
    assert cancelled["errors"] == []
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert cancelled["order"]["lines"][0]["cancelledQuantity"] == 2
    # Two unshipped units come back; the shipped unit and the delivery are kept.
    assert [r["amount"]["amount"] for r in cancelled["order"]["refunds"]] == ["120.00"]
    total = minor(order["cost"]["totalAmount"]["amount"])
    assert await payment(runtime) == ("PARTIALLY_REFUNDED", total, total, 12000)
    assert await stock(runtime) == [("centre-store", 5, 0), ("warehouse", 1, 0)]


async def test_cancelling_a_partly_shipped_order_still_authorised_captures_what_shipped(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop, order, staff = await shipping_order(runtime, gql)
    await ship(staff, order, at(shop, "warehouse"), 1)
    # An order whose capture did not happen at its first fulfilment (as before capture
    # at fulfilment existed): its payment is still only authorised.
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE payments SET status = 'AUTHORIZED', captured_minor = 0")
        )
        await connection.execute(text("UPDATE orders SET payment_status = 'AUTHORIZED'"))

    body = await staff(CANCEL, {"id": order["id"]})

    cancelled = body["data"]["orderCancel"]
    assert cancelled["errors"] == []
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["paymentStatus"] == "CAPTURED"
    assert cancelled["order"]["refunds"] == []
    total = minor(order["cost"]["totalAmount"]["amount"])
    assert await payment(runtime) == ("CAPTURED", total, total - 12000, 0)


async def test_a_store_token_cannot_cancel_lines_of_another_stores_order(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    _, order, _ = await shipping_order(runtime, gql)
    far_staff = gql.with_headers(
        **bearer(
            await staff_token(runtime, Scope.ORDERS_MANAGE, name="far", locations=["far-store"])
        )
    )
    before = await stock(runtime)

    lines = [{"orderLineId": order["lines"][0]["id"], "quantity": 1}]
    refused = await far_staff(LINES_CANCEL, {"order": order["id"], "lines": lines})

    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert await stock(runtime) == before
