"""A cart's attributes (issue 15): set, replaced, cleared and refused through GraphQL;
the channel's pricing plugins price with them, and checkout copies them onto the order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.channels.model import EnabledPlugin
from core.clock import FrozenClock
from core.config import Settings
from core.db.reads import Reads
from core.hooks import PriceAdjustment, PriceLine, PricingContext, hookimpl
from core.money import Money
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.app import create_app
from tests.factories import GraphQLClient
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare

CART = "version attributes { key value } cost { totalAmount { amount } adjustments { label } }"
UPDATE = f"""
mutation ($token: String!, $attributes: [AttributeInput!]!, $version: Int, $key: String) {{
  cartAttributesUpdate(token: $token, attributes: $attributes, expectedVersion: $version,
                       idempotencyKey: $key) {{
    cart {{ {CART} }}
    errors {{ field code }}
    replayed
  }}
}}
"""
READ = f"query ($token: String!) {{ cart(token: $token) {{ {CART} }} }}"


class Coupons:
    """Takes 5.00 off each unit when the cart carries ``coupons.code = TAKE5``."""

    @hookimpl
    def omnicart_price_lines(
        self, context: PricingContext, lines: Sequence[PriceLine]
    ) -> list[PriceAdjustment]:
        if context.attributes.get("coupons.code") != "TAKE5":
            return []
        off = Money.parse("-5.00", context.channel.currency)
        return [PriceAdjustment(line.key, off, "Coupon TAKE5") for line in lines]


@pytest.fixture
async def shop_and_gql(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> AsyncIterator[tuple[Runtime, DeliveryShop, GraphQLClient]]:
    plugins = PluginHost.load(extra={"coupons": Coupons()})
    runtime = Runtime.build(settings, engine=engine, reads=reads, clock=clock, plugins=plugins)
    shop = await make_delivery_shop(
        runtime,
        stock={(0, "warehouse"): 5},
        extra_plugins=(EnabledPlugin("coupons", {}), GATEWAY),
    )
    app = create_app(settings, runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield runtime, shop, GraphQLClient(http)


def pairs(*items: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in items]


async def update(gql: GraphQLClient, token: str, attributes: Any, **extra: Any) -> dict[str, Any]:
    body = await gql(UPDATE, {"token": token, "attributes": attributes, **extra})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["cartAttributesUpdate"]
    return payload


async def test_attributes_are_replaced_in_order_and_cleared_each_raising_the_version(
    shop_and_gql: tuple[Runtime, DeliveryShop, GraphQLClient],
) -> None:
    runtime, shop, gql = shop_and_gql
    token = await make_cart(runtime, shop, (1,))

    first = await update(gql, token, pairs(("gift.note", "Happy birthday"), ("b.ref", "7")))
    second = await update(gql, token, pairs(("b.ref", "8")))
    read = await gql(READ, {"token": token})
    cleared = await update(gql, token, [])

    assert first["errors"] == []
    assert first["cart"]["attributes"] == pairs(("gift.note", "Happy birthday"), ("b.ref", "7"))
    assert first["cart"]["version"] == 2
    assert second["cart"]["attributes"] == pairs(("b.ref", "8"))
    assert read["data"]["cart"]["attributes"] == pairs(("b.ref", "8"))
    assert cleared["cart"]["attributes"] == [] and cleared["cart"]["version"] == 4


async def test_the_same_attributes_again_change_nothing(
    shop_and_gql: tuple[Runtime, DeliveryShop, GraphQLClient],
) -> None:
    runtime, shop, gql = shop_and_gql
    token = await make_cart(runtime, shop, (1,))
    await update(gql, token, pairs(("a", "1")))

    again = await update(gql, token, pairs(("a", "1")))

    assert again["errors"] == [] and again["cart"]["version"] == 2


async def test_bad_attributes_are_refused_each_on_its_path_and_change_nothing(
    shop_and_gql: tuple[Runtime, DeliveryShop, GraphQLClient],
) -> None:
    runtime, shop, gql = shop_and_gql
    token = await make_cart(runtime, shop, (1,))
    await update(gql, token, pairs(("kept", "yes")))

    bad = await update(
        gql, token, pairs(("", "x"), ("ok", "1"), ("ok", "2"), ("x" * 65, "y"), ("v", "z" * 1001))
    )
    many = await update(gql, token, pairs(*((f"k{i}", "v") for i in range(31))))
    stale = await update(gql, token, pairs(("a", "1")), version=1)

    assert [(e["field"], e["code"]) for e in bad["errors"]] == [
        (["attributes", "0", "key"], "INVALID_ATTRIBUTE"),
        (["attributes", "2", "key"], "DUPLICATE"),
        (["attributes", "3", "key"], "INVALID_ATTRIBUTE"),
        (["attributes", "4", "value"], "INVALID_ATTRIBUTE"),
    ]
    assert [e["code"] for e in many["errors"]] == ["TOO_MANY_ATTRIBUTES"]
    assert [e["code"] for e in stale["errors"]] == ["CART_VERSION_CONFLICT"]
    for payload in (bad, many, stale):
        assert payload["cart"]["attributes"] == pairs(("kept", "yes"))
        assert payload["cart"]["version"] == 2


async def test_a_retry_with_the_same_key_applies_once(
    shop_and_gql: tuple[Runtime, DeliveryShop, GraphQLClient],
) -> None:
    runtime, shop, gql = shop_and_gql
    token = await make_cart(runtime, shop, (1,))
    key = "attributes-key-00001"

    first = await update(gql, token, pairs(("a", "1")), key=key)
    retry = await update(gql, token, pairs(("a", "1")), key=key)
    other = await update(gql, token, pairs(("a", "2")), key=key)

    assert (first["replayed"], retry["replayed"]) == (False, True)
    assert retry["cart"]["version"] == 2
    assert [e["code"] for e in other["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]


async def test_plugins_price_with_the_attributes_and_the_order_keeps_them(
    shop_and_gql: tuple[Runtime, DeliveryShop, GraphQLClient],
) -> None:
    runtime, shop, gql = shop_and_gql
    token = await make_cart(runtime, shop, (2,))

    before = await gql(READ, {"token": token})
    coupon = await update(gql, token, pairs(("coupons.code", "TAKE5"), ("gift.note", "Hi")))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    placed = await checkout(gql, token)

    assert before["data"]["cart"]["cost"]["totalAmount"] == {"amount": "120.00"}
    assert coupon["cart"]["cost"]["totalAmount"] == {"amount": "110.00"}
    assert coupon["cart"]["cost"]["adjustments"] == [{"label": "Coupon TAKE5"}]
    assert placed["errors"] == [], placed
    order = placed["order"]
    assert order["cost"]["adjustments"] == [
        {"label": "Coupon TAKE5", "amount": {"amount": "-10.00"}}
    ]
    by_token = await gql(
        "query ($token: String!) { orderByToken(token: $token) { attributes { key value } } }",
        {"token": placed["orderToken"]},
    )
    assert by_token["data"]["orderByToken"]["attributes"] == pairs(
        ("coupons.code", "TAKE5"), ("gift.note", "Hi")
    )
