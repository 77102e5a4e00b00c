"""checkoutComplete answers the order as it wrote it, without reading it back: that
answer must be the order a later read gives, field for field, whatever the delivery
and the payment (approved, or pending until pickup)."""

from __future__ import annotations

from typing import Any

import pytest

from core.channels.model import EnabledPlugin
from core.runtime import Runtime
from tests.factories import GraphQLClient
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, PAY_AT_PICKUP, checkout, prepare

MONEY = "{ amount currency }"
ADDRESS = "{ firstName lastName company line1 line2 postalCode city countryCode phone }"
EVERYTHING = f"""
  id number status paymentStatus email customerId version createdAt
  channel {{ slug }}
  lines {{
    id variantId sku name quantity unitPrice {MONEY} totalPrice {MONEY}
    adjustments {{ label plugin amount {MONEY} }}
  }}
  cost {{
    subtotalAmount {MONEY} deliveryAmount {MONEY} totalAmount {MONEY}
    adjustments {{ label plugin amount {MONEY} }}
  }}
  shippingAddress {ADDRESS}
  billingAddress {ADDRESS}
  deliveryGroups {{
    method title handle plugin cost {MONEY} estimatedAt payAtPickup location {{ slug }}
    lines {{ lineId quantity location {{ slug }} }}
  }}
  history {{ at status paymentStatus actor note }}
"""
CHECKOUT = f"""
mutation ($token: String!, $payment: PaymentInput!) {{
  checkoutComplete(
    token: $token, idempotencyKey: "answer-key-0001-0000", payment: $payment
  ) {{
    order {{ {EVERYTHING} }}
    orderToken
    errors {{ field code }}
  }}
}}
"""
READ = f"query ($token: String!) {{ orderByToken(token: $token) {{ {EVERYTHING} }} }}"

CASES: dict[str, dict[str, Any]] = {
    "split between a store pickup and a delivery, paid by card": {
        "plugin": "web",
        "stock": {(0, "centre"): 2, (1, "warehouse"): 4},
        "quantities": (1, 2),
        "handles": {"delivery-1": "pickup-now:centre-store", "delivery-2": "shipping:standard"},
        "provider": "test-gateway",
        "address": True,
    },
    "reserved in store, paid at pickup": {
        "plugin": "mobile",
        "stock": {(0, "centre"): 3},
        "quantities": (2,),
        "handles": {"delivery-1": "reserve:centre-store"},
        "provider": "pay-at-pickup",
        "address": False,
    },
    "delivered from the warehouse": {
        "plugin": "web",
        "stock": {(0, "warehouse"): 5, (1, "warehouse"): 5},
        "quantities": (1, 3),
        "handles": {"delivery-1": "shipping:standard"},
        "provider": "test-gateway",
        "address": True,
    },
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
async def test_the_answer_is_the_order_read_back(
    runtime: Runtime, gql: GraphQLClient, case: dict[str, Any]
) -> None:
    plugins: tuple[EnabledPlugin, ...] = (GATEWAY, PAY_AT_PICKUP)
    shop = await make_delivery_shop(
        runtime, plugin=case["plugin"], stock=case["stock"], extra_plugins=plugins
    )
    token = await make_cart(runtime, shop, case["quantities"])
    cart = await prepare(
        gql, token, handles=case["handles"], **({} if case["address"] else {"address": None})
    )
    assert cart["cart"]["version"] > 0

    body = await gql(CHECKOUT, {"token": token, "payment": {"provider": case["provider"]}})
    placed = body["data"]["checkoutComplete"]
    assert placed["errors"] == [], placed
    read = await gql(READ, {"token": placed["orderToken"]})

    assert placed["order"] == read["data"]["orderByToken"]
    assert placed["order"]["history"] and placed["order"]["deliveryGroups"]


async def test_a_replayed_checkout_answers_the_same_order(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (2,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})

    first = await checkout(gql, token, key="same-checkout-key-0001")
    again = await checkout(gql, token, key="same-checkout-key-0001")

    assert first["errors"] == [] and again["replayed"] is True
    assert again["order"] == first["order"]
