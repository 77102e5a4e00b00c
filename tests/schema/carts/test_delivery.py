"""Delivery groups and options through GraphQL: reading them (nearest stores first),
choosing, the split cart, deliveryAmount in totalAmount, errors on their input paths,
and a failing plugin."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from core.carts import services as carts
from core.channels.model import EnabledPlugin
from core.clock import FrozenClock
from core.config import Settings
from core.db.reads import Reads
from core.delivery.model import DeliveryOption
from core.hooks import hookimpl
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.app import create_app
from tests.factories import GraphQLClient, StatementCounter
from tests.factories.delivery import KRAKOW, make_cart, make_delivery_shop

GROUPS = """
query ($token: String!, $near: GeoPointInput) {
  cart(token: $token) {
    version
    cost { subtotalAmount { amount } deliveryAmount { amount currency } totalAmount { amount } }
    deliveryGroups(near: $near) {
      id
      lines { quantity }
      deliveryOptions {
        handle title method cost { amount currency } estimatedAt plugin payAtPickup
        location { slug }
      }
      selectedDeliveryOption { handle }
    }
  }
}
"""

SELECT = """
mutation ($token: String!, $choices: [CartSelectedDeliveryOptionInput!]!, $version: Int,
          $key: String) {
  cartSelectedDeliveryOptionsUpdate(token: $token, selectedDeliveryOptions: $choices,
                                    expectedVersion: $version, idempotencyKey: $key) {
    cart {
      version
      cost { deliveryAmount { amount } totalAmount { amount } }
      deliveryGroups { id lines { quantity } selectedDeliveryOption { handle cost { amount } } }
    }
    errors { field code message }
    replayed
  }
}
"""


def choice(group: str, handle: str) -> dict[str, str]:
    return {"deliveryGroupId": group, "deliveryOptionHandle": handle}


async def test_a_cart_lists_its_delivery_groups_and_options(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "centre"): 2, (0, "far"): 2})
    token = await make_cart(runtime, shop, (1,))

    body = await gql(GROUPS, {"token": token, "near": {"lat": KRAKOW[0], "lon": KRAKOW[1]}})

    cart = body["data"]["cart"]
    assert cart["cost"]["deliveryAmount"] == {"amount": "0.00", "currency": "PLN"}
    [group] = cart["deliveryGroups"]
    assert group["id"] == "delivery-1" and group["lines"] == [{"quantity": 1}]
    assert group["selectedDeliveryOption"] is None
    shipping, far, centre = group["deliveryOptions"]
    assert shipping == {
        "handle": "shipping:standard",
        "title": "Home delivery",
        "method": "SHIPPING",
        "cost": {"amount": "19.99", "currency": "PLN"},
        "estimatedAt": "2026-11-25T12:00:00+00:00",
        "plugin": "web",
        "payAtPickup": False,
        "location": None,
    }
    assert (far["handle"], far["method"], far["location"]) == (
        "pickup:far-store",
        "PICKUP",
        {"slug": "far-store"},
    )
    assert far["estimatedAt"] == "2026-11-23T14:00:00+00:00"
    assert centre["handle"] == "pickup:centre-store"


async def test_choosing_options_splits_the_cart_and_adds_delivery_to_the_total(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "centre"): 2, (1, "warehouse"): 4})
    token = await make_cart(runtime, shop, (1, 1))

    body = await gql(
        SELECT,
        {
            "token": token,
            "version": 1,
            "key": "choose-delivery-0001",
            "choices": [
                choice("delivery-1", "pickup-now:centre-store"),
                choice("delivery-2", "shipping:standard"),
            ],
        },
    )
    retried = await gql(
        SELECT,
        {
            "token": token,
            "version": 1,
            "key": "choose-delivery-0001",
            "choices": [
                choice("delivery-1", "pickup-now:centre-store"),
                choice("delivery-2", "shipping:standard"),
            ],
        },
    )

    payload = body["data"]["cartSelectedDeliveryOptionsUpdate"]
    assert payload["errors"] == [] and not payload["replayed"]
    cart = payload["cart"]
    assert cart["version"] == 2
    assert cart["deliveryGroups"] == [
        {
            "id": "delivery-1",
            "lines": [{"quantity": 1}],
            "selectedDeliveryOption": {
                "handle": "pickup-now:centre-store",
                "cost": {"amount": "0.00"},
            },
        },
        {
            "id": "delivery-2",
            "lines": [{"quantity": 1}],
            "selectedDeliveryOption": {"handle": "shipping:standard", "cost": {"amount": "19.99"}},
        },
    ]
    assert cart["cost"] == {
        "deliveryAmount": {"amount": "19.99"},
        "totalAmount": {"amount": "139.99"},
    }
    again = retried["data"]["cartSelectedDeliveryOptionsUpdate"]
    assert again["replayed"] and again["cart"]["version"] == 2


async def test_bad_choices_come_back_on_their_input_paths_and_change_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 2})
    token = await make_cart(runtime, shop, (1,))

    body = await gql(
        SELECT,
        {
            "token": token,
            "choices": [choice("delivery-7", "shipping:standard"), choice("delivery-1", "drone")],
        },
    )
    stale = await gql(
        SELECT,
        {"token": token, "version": 0, "choices": [choice("delivery-1", "shipping:standard")]},
    )

    payload = body["data"]["cartSelectedDeliveryOptionsUpdate"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["selectedDeliveryOptions", "0", "deliveryGroupId"], "UNKNOWN_DELIVERY_GROUP"),
        (["selectedDeliveryOptions", "1", "deliveryOptionHandle"], "UNKNOWN_DELIVERY_OPTION"),
    ]
    assert payload["cart"]["version"] == 1
    assert payload["cart"]["cost"]["deliveryAmount"] == {"amount": "0.00"}
    [conflict] = stale["data"]["cartSelectedDeliveryOptionsUpdate"]["errors"]
    assert (conflict["field"], conflict["code"]) == (["expectedVersion"], "CART_VERSION_CONFLICT")


class Carrier:
    @hookimpl
    def omnicart_delivery_options(self) -> list[DeliveryOption]:
        raise RuntimeError("carrier API down")


async def test_a_failing_delivery_plugin_answers_plugin_failed_naming_it(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> None:
    plugins = PluginHost.load(extra={"carrier": Carrier()})
    runtime = Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)
    shop = await make_delivery_shop(
        runtime, stock={(0, "warehouse"): 2}, extra_plugins=(EnabledPlugin("carrier", {}),)
    )
    token = await make_cart(runtime, shop, (1,))
    app = create_app(settings, runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)

        read = await gql(GROUPS, {"token": token})
        chosen = await gql(
            SELECT, {"token": token, "choices": [choice("delivery-1", "shipping:standard")]}
        )

    for body in (read, chosen):
        [error] = body["errors"]
        assert error["extensions"] == {"code": "PLUGIN_FAILED", "plugin": "carrier"}
    cart = await carts.read_cart(runtime.uow(), token, carts.Caller())
    assert cart is not None
    assert cart.cart.version == 1 and cart.cart.delivery_selection == ()


async def test_reading_delivery_groups_takes_as_many_statements_for_more_lines_and_groups(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "centre"): 2, (0, "warehouse"): 2, (1, "warehouse"): 2}
    )
    one_line = await make_cart(runtime, shop, (1,))
    split = await make_cart(runtime, shop, (1, 1))
    await carts.select_delivery_options(
        runtime.uow(),
        token=split,
        choices=[
            carts.DeliveryChoice("delivery-1", "pickup-now:centre-store"),
            carts.DeliveryChoice("delivery-2", "shipping:standard"),
        ],
    )
    counts = []

    for token in (one_line, split):
        count_statements.reset()
        body = await gql(GROUPS, {"token": token})
        assert "errors" not in body, body
        counts.append(count_statements.count)

    # Two lines in two groups read the stock once for the groups, as one line does; the
    # only extra statements are the delivery amount's stock read (its three statements:
    # availability, the cart's holds, the locations), made once for a cart with a choice.
    assert counts[1] == counts[0] + 3
