from typing import Any

from omnicart.testing import GraphQL, Omnicart

CART = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) {
    cart { cost { adjustments { label plugin amount { amount } } } }
    errors { code }
  }
}
"""

CHANNEL_UPDATE = """
mutation ($id: ID!, $plugins: [ChannelPluginInput!]) {
  channelUpdate(id: $id, input: { plugins: $plugins }) { errors { field code } }
}
"""


async def adjustments(
    omnicart: Omnicart, graphql: GraphQL, sku: str, channel: str
) -> list[dict[str, Any]]:
    lines = [{"variantId": omnicart.demo.variants[sku], "quantity": 1}]
    data = await graphql(CART, {"input": {"channel": channel, "lines": lines}})
    found: list[dict[str, Any]] = data["cartCreate"]["cart"]["cost"]["adjustments"]
    return found


async def test_a_clearance_sku_costs_less_in_the_channel_that_enables_it(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    on_clearance, other = "DMO-0001-BLK-34", "DMO-0001-SKY-34"

    web = await adjustments(omnicart, omnicart_graphql, on_clearance, "web")
    mobile = await adjustments(omnicart, omnicart_graphql, on_clearance, "mobile")
    not_listed = await adjustments(omnicart, omnicart_graphql, other, "web")

    assert {"label": "Clearance", "plugin": "clearance", "amount": {"amount": "-5.00"}} in web
    assert [a for a in mobile + not_listed if a["plugin"] == "clearance"] == []


async def test_a_channel_refuses_settings_without_an_amount(
    omnicart: Omnicart, omnicart_graphql: GraphQL
) -> None:
    token = await omnicart.staff_token(["channels:write"])
    plugins = [{"name": "clearance", "settings": {"skus": ["DMO-0001-BLK-34"]}}]

    data = await omnicart_graphql(
        CHANNEL_UPDATE, {"id": omnicart.demo.channels["web"], "plugins": plugins}, token=token
    )

    assert data["channelUpdate"]["errors"][0]["code"] == "INVALID_PLUGIN_SETTINGS"


async def test_an_order_keeps_the_clearance_price(omnicart: Omnicart) -> None:
    placed = await omnicart.place_order(sku="DMO-0001-BLK-34", quantity=2)

    assert {"label": "Clearance", "amount": {"amount": "-10.00"}} in placed.order["cost"][
        "adjustments"
    ]
