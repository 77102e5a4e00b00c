"""The loyalty programme through Omnicart's API: earn on a web order, spend at the till."""

from typing import Any

from omnicart_loyalty import account, enrol, history, omnicart_event

from omnicart import DeliveredEvent
from omnicart.testing import GraphQL, Omnicart, Shopper

ORDER = """
query ($id: ID!) {
  order(id: $id) {
    status
    cost { totalAmount { amount } }
    deliveryGroups { lines { lineId quantity location { id } } }
  }
}
"""

FULFIL = """
mutation ($order: ID!, $location: ID!, $lines: [OrderLineQuantityInput!]!) {
  fulfilmentCreate(orderId: $order, locationId: $location, lines: $lines) {
    order { status }
    errors { field code message }
  }
}
"""

CANCEL = """
mutation ($id: ID!) {
  orderCancel(id: $id, reason: "changed my mind") { order { status } errors { code } }
}
"""

CHANNEL_UPDATE = """
mutation ($id: ID!, $plugins: [ChannelPluginInput!]) {
  channelUpdate(id: $id, input: { plugins: $plugins }) { errors { field code message } }
}
"""

SELL = """
mutation ($location: ID!, $lines: [PosLineInput!]!, $customer: String,
          $attributes: [AttributeInput!], $key: String!) {
  posCheckout(locationId: $location, lines: $lines, idempotencyKey: $key,
              payment: { provider: "card-present", data: { card: "4242 4242 4242 4242" } },
              customerId: $customer, attributes: $attributes) {
    order {
      status customerId
      cost { adjustments { label plugin amount { amount } } totalAmount { amount } }
    }
    errors { field code message }
  }
}
"""

CART = """
mutation ($sku: ID!) {
  cartCreate(input: { channel: "web", lines: [{ variantId: $sku, quantity: 1 }] }) {
    cart { token }
    errors { code }
  }
}
"""

REDEEM = """
mutation ($token: String!, $points: String!) {
  cartAttributesUpdate(token: $token,
                       attributes: [{ key: "loyalty.redeemPoints", value: $points }]) {
    cart { cost { adjustments { plugin amount { amount } } } }
    errors { code }
  }
}
"""

SHIP_HOME = """
mutation ($token: String!) {
  cartShippingAddressSet(token: $token, address: {
    firstName: "Ann", lastName: "Lee", line1: "1 Main St", postalCode: "00-001",
    city: "Warszawa", countryCode: "PL"
  }) { errors { code } }
  cartSelectedDeliveryOptionsUpdate(token: $token, selectedDeliveryOptions: [
    { deliveryGroupId: "delivery-1", deliveryOptionHandle: "shipping:standard" }
  ]) { errors { code } }
}
"""

CHECKOUT = """
mutation ($token: String!, $key: String!) {
  checkoutComplete(token: $token, idempotencyKey: $key,
                   payment: { provider: "test-gateway" }) {
    order { id cost { adjustments { label plugin amount { amount } } } }
    errors { code message }
  }
}
"""

STORE, STORE_CHANNEL = "warszawa-store", "store-warszawa"
SETTINGS = {"points_per_unit": 1, "point_value": "0.01"}


async def fulfil_everything(omnicart: Omnicart, graphql: GraphQL, order_id: str) -> str:
    """Ship every unit of the order from where it is allocated; the status after."""
    token = await omnicart.staff_token(["orders:read", "orders:manage"])
    order = (await graphql(ORDER, {"id": order_id}, token=token))["order"]
    by_location: dict[str, list[dict[str, Any]]] = {}
    for group in order["deliveryGroups"]:
        for line in group["lines"]:
            by_location.setdefault(line["location"]["id"], []).append(
                {"orderLineId": line["lineId"], "quantity": line["quantity"]}
            )
    status = order["status"]
    for location, lines in by_location.items():
        variables = {"order": order_id, "location": location, "lines": lines}
        payload = (await graphql(FULFIL, variables, token=token))["fulfilmentCreate"]
        assert payload["errors"] == []
        status = payload["order"]["status"]
    return str(status)


async def enable_at_the_till(omnicart: Omnicart, graphql: GraphQL) -> None:
    """The Warszawa store's channel runs the programme too (beside its own plugins)."""
    token = await omnicart.staff_token(["channels:write"])
    plugins = [
        {"name": "store", "settings": {}},
        {"name": "cash", "settings": {}},
        {"name": "card-present", "settings": {}},
        {"name": "loyalty", "settings": SETTINGS},
    ]
    variables = {"id": omnicart.demo.channels[STORE_CHANNEL], "plugins": plugins}
    data = await graphql(CHANNEL_UPDATE, variables, token=token)
    assert data["channelUpdate"]["errors"] == []


async def sell(
    omnicart: Omnicart, graphql: GraphQL, *, customer: str, points: int, key: str
) -> dict[str, Any]:
    token = await omnicart.staff_token(["orders:manage"], locations=[STORE])
    variables = {
        "location": omnicart.demo.locations[STORE],
        "lines": [{"variantId": omnicart.demo.variants[omnicart.demo.skus[0]], "quantity": 1}],
        "customer": customer,
        "attributes": [{"key": "loyalty.redeemPoints", "value": str(points)}],
        "key": key,
    }
    payload: dict[str, Any] = (await graphql(SELL, variables, token=token))["posCheckout"]
    return payload


async def earn_on_a_web_order(omnicart: Omnicart, graphql: GraphQL, shopper: Shopper) -> int:
    """Place and fulfil an order of the shopper's; the points it earned."""
    placed = await omnicart.place_order(shopper=shopper, quantity=2)
    await fulfil_everything(omnicart, graphql, placed.id)
    await omnicart.deliver_events()
    earned = await account(shopper.customer.id)
    assert earned is not None
    return earned.points


async def check_out_spending(
    omnicart: Omnicart, graphql: GraphQL, shopper: Shopper, points: int
) -> dict[str, Any]:
    """A web cart of the shopper's spending ``points``, checked out; the payload."""
    variant = omnicart.demo.variants[omnicart.demo.skus[0]]
    created = await graphql(CART, {"sku": variant}, token=shopper.token)
    token = created["cartCreate"]["cart"]["token"]
    redeemed = await graphql(REDEEM, {"token": token, "points": str(points)})
    assert redeemed["cartAttributesUpdate"]["errors"] == []
    prepared = await graphql(SHIP_HOME, {"token": token})
    assert prepared["cartShippingAddressSet"]["errors"] == []
    assert prepared["cartSelectedDeliveryOptionsUpdate"]["errors"] == []
    variables = {"token": token, "key": f"loyalty-test-spend-{points}"}
    payload: dict[str, Any] = (await graphql(CHECKOUT, variables, token=shopper.token))[
        "checkoutComplete"
    ]
    return payload


def whole_units(amount: str) -> int:
    return int(amount.split(".")[0])


async def test_a_web_order_earns_once_fulfilled_and_the_points_are_spent_at_the_till(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    ann: Shopper = await omnicart.customer()
    placed = await omnicart.place_order(shopper=ann, quantity=2)
    await omnicart.deliver_events()
    before_fulfilment = await account(ann.customer.id)

    status = await fulfil_everything(omnicart, omnicart_graphql, placed.id)
    await omnicart.deliver_events()
    earned = await account(ann.customer.id)
    (entry,) = await history(ann.customer.id)
    await omnicart_event(  # the same event again: delivery is at least once
        DeliveredEvent(
            id=entry.event_id,
            topic="order",
            type="OrderFulfilled",
            subject_ids=(entry.order_id,),
            payload={"type": "OrderFulfilled", "order_id": entry.order_id, "status": "fulfilled"},
            created_at=entry.created_at,
        )
    )
    after_redelivery = await account(ann.customer.id)

    assert before_fulfilment is None
    assert status == "FULFILLED"
    assert earned is not None and earned.loyalty_id.startswith("LOY-")
    assert earned.points == whole_units(placed.order["cost"]["totalAmount"]["amount"])
    assert after_redelivery == earned

    await enable_at_the_till(omnicart, omnicart_graphql)

    sold = await sell(
        omnicart, omnicart_graphql, customer=earned.loyalty_id, points=300, key="till-1"
    )
    await omnicart.deliver_events()
    spent = await account(ann.customer.id)

    assert sold["errors"] == []
    order = sold["order"]
    assert order["status"] == "COMPLETED"
    assert order["customerId"] is not None
    assert {"label": "Loyalty points", "plugin": "loyalty", "amount": {"amount": "-3.00"}} in (
        order["cost"]["adjustments"]
    )
    # Spent 300 at the till, and the completed till sale earned its own points.
    till_points = whole_units(order["cost"]["totalAmount"]["amount"])
    assert spent is not None
    assert spent.points == earned.points - 300 + till_points
    assert [e.kind.value for e in await history(ann.customer.id)] == ["EARN", "REDEEM", "EARN"]


async def test_spending_more_points_than_the_balance_is_refused(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    ann = await omnicart.customer()
    card = await enrol(ann.customer.id)
    await enable_at_the_till(omnicart, omnicart_graphql)

    sold = await sell(omnicart, omnicart_graphql, customer=card.loyalty_id, points=1, key="t-2")
    await omnicart.deliver_events()

    assert sold["order"] is None
    (error,) = sold["errors"]
    assert error["code"] == "CHECKOUT_BLOCKED"
    assert "LOYALTY_POINTS_INSUFFICIENT" in error["message"]
    assert await account(ann.customer.id) == card  # no points, nothing written


async def test_a_cancelled_order_earns_nothing(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    ann = await omnicart.customer()
    placed = await omnicart.place_order(shopper=ann)
    token = await omnicart.staff_token(["orders:manage"])

    cancelled = await omnicart_graphql(CANCEL, {"id": placed.id}, token=token)
    await omnicart.deliver_events()

    assert cancelled["orderCancel"]["order"]["status"] == "CANCELLED"
    assert await account(ann.customer.id) is None
    assert await history(ann.customer.id) == []


async def test_points_spent_online_leave_when_the_order_is_placed_and_return_on_cancel(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    ann = await omnicart.customer()
    balance = await earn_on_a_web_order(omnicart, omnicart_graphql, ann)
    staff = await omnicart.staff_token(["orders:manage"])

    placed = await check_out_spending(omnicart, omnicart_graphql, ann, 250)
    assert placed["errors"] == []
    await omnicart.deliver_events()
    await omnicart.deliver_events()  # a second pass gives nothing twice
    after_placing = await account(ann.customer.id)
    await omnicart_graphql(CANCEL, {"id": placed["order"]["id"]}, token=staff)
    await omnicart.deliver_events()
    after_cancelling = await account(ann.customer.id)

    assert {"label": "Loyalty points", "plugin": "loyalty", "amount": {"amount": "-2.50"}} in (
        placed["order"]["cost"]["adjustments"]
    )
    assert after_placing is not None and after_placing.points == balance - 250
    assert after_cancelling is not None and after_cancelling.points == balance


async def test_checkout_online_refuses_more_points_than_the_balance(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    ann = await omnicart.customer()
    balance = await earn_on_a_web_order(omnicart, omnicart_graphql, ann)

    refused = await check_out_spending(omnicart, omnicart_graphql, ann, balance + 1)

    assert refused["order"] is None
    assert [error["code"] for error in refused["errors"]] == ["CHECKOUT_BLOCKED"]
    assert "LOYALTY_POINTS_INSUFFICIENT" in refused["errors"][0]["message"]
