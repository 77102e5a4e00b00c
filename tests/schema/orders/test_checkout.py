"""checkoutComplete through GraphQL: the web path, replays, refusals that write nothing."""

from __future__ import annotations

from sqlalchemy import text

from core.runtime import Runtime
from tests.factories import GraphQLClient, row_counts
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import BY_TOKEN, GATEWAY, checkout, prepare


async def test_the_web_path_places_one_order_with_its_snapshot_and_allocations(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "warehouse"): 5, (1, "warehouse"): 5}, extra_plugins=(GATEWAY,)
    )
    token = await make_cart(runtime, shop, (2, 1))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})

    placed = await checkout(gql, token)

    assert placed["errors"] == [] and placed["replayed"] is False
    order = placed["order"]
    assert order["status"] == "PLACED" and order["paymentStatus"] == "AUTHORIZED"
    assert order["number"].startswith("OC-") and len(order["number"]) == 12
    assert order["email"] == "ann@example.com" and order["customerId"] is None
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [
        ("BOOT-1", 2),
        ("BOOT-2", 1),
    ]
    assert order["cost"]["subtotalAmount"] == {"amount": "180.00"}
    assert order["cost"]["deliveryAmount"] == {"amount": "9.99"}  # from 100.00 of goods
    assert order["cost"]["totalAmount"] == {"amount": "189.99", "currency": "PLN"}
    assert order["shippingAddress"] == {"city": "Warszawa", "countryCode": "PL"}
    [group] = order["deliveryGroups"]
    assert group["method"] == "SHIPPING" and group["handle"] == "shipping:standard"
    assert sorted((u["quantity"], u["location"]["slug"]) for u in group["lines"]) == [
        (1, "warehouse"),
        (2, "warehouse"),
    ]
    assert [(h["status"], h["paymentStatus"], h["actor"]) for h in order["history"]] == [
        ("PLACED", "AUTHORIZED", "guest")
    ]
    # The order token reads the order; the cart is done.
    read = await gql(BY_TOKEN, {"token": placed["orderToken"]})
    assert read["data"]["orderByToken"]["number"] == order["number"]
    counts = await row_counts(runtime)
    assert counts["orders"] == 1 and counts["payments"] == 1


async def test_a_retry_replays_the_order_and_a_key_or_cart_reused_is_refused(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (1,))
    other = await make_cart(runtime, shop, (1,))
    for cart in (token, other):
        await prepare(gql, cart, handles={"delivery-1": "shipping:standard"})

    first = await checkout(gql, token, key="key-one-000000001")
    again = await checkout(gql, token, key="key-one-000000001")
    elsewhere = await checkout(gql, other, key="key-one-000000001")
    second_key = await checkout(gql, token, key="key-two-000000001")

    assert again["errors"] == [], again
    assert again["replayed"] is True
    assert again["order"]["number"] == first["order"]["number"]
    assert again["orderToken"] == first["orderToken"]
    assert [e["code"] for e in elsewhere["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert [e["code"] for e in second_key["errors"]] == ["CART_NOT_ACTIVE"]
    assert (await row_counts(runtime))["orders"] == 1
    # The completed cart changes no more.
    body = await gql(
        "mutation ($t: String!) { cartClear(token: $t) { errors { code } } }", {"t": token}
    )
    assert body["data"]["cartClear"]["errors"] == [{"code": "CART_NOT_ACTIVE"}]


async def test_a_declined_payment_leaves_no_order_and_the_cart_as_it_was(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (2,))
    prepared = await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    before = await row_counts(runtime)
    held = await stock_rows(runtime)

    declined = await checkout(gql, token, data={"token": "decline"})

    assert declined["order"] is None
    assert [(e["field"], e["code"]) for e in declined["errors"]] == [
        (["payment"], "PAYMENT_DECLINED")
    ]
    assert await row_counts(runtime) == before
    assert await stock_rows(runtime) == held
    cart = await gql(
        "query ($t: String!) { cart(token: $t) { version status lines { quantity } } }",
        {"t": token},
    )
    assert cart["data"]["cart"] == {
        "version": prepared["cart"]["version"],
        "status": "ACTIVE",
        "lines": [{"quantity": 2}],
    }


async def test_what_is_missing_comes_back_on_its_path_and_nothing_is_written(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 5}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (1,))
    before = await row_counts(runtime)

    refused = await checkout(gql, token, version=7)
    assert [e["code"] for e in refused["errors"]] == ["CART_VERSION_CONFLICT"]
    missing = await checkout(gql, token)
    assert sorted((tuple(e["field"]), e["code"]) for e in missing["errors"]) == [
        (("deliveryGroups", "delivery-1"), "REQUIRED"),
        (("email",), "REQUIRED"),
    ]
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"}, email=None, address=None)
    no_address = await checkout(gql, token)
    assert sorted((tuple(e["field"]), e["code"]) for e in no_address["errors"]) == [
        (("email",), "REQUIRED"),
        (("shippingAddress",), "REQUIRED"),
    ]
    unknown = await checkout(gql, token, provider="cash-in-envelope")
    assert sorted((tuple(e["field"]), e["code"]) for e in unknown["errors"]) == [
        (("email",), "REQUIRED"),
        (("payment", "provider"), "PAYMENT_PROVIDER_NOT_ACCEPTED"),
        (("shippingAddress",), "REQUIRED"),
    ]
    after = await row_counts(runtime)
    assert after["orders"] == before["orders"] == 0
    assert after["payments"] == 0


async def stock_rows(runtime: Runtime) -> list[tuple[int, int, int, int]]:
    """(variant, location, on hand, reserved) of every stock row."""
    async with runtime.reads.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT variant_id, location_id, on_hand, reserved FROM stock_levels "
                "ORDER BY variant_id, location_id"
            )
        )
        return [tuple(row) for row in rows.all()]
