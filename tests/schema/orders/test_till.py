"""The store till (issue 15, point 3): ``posCheckout`` sells from the store's own stock
at the store channel's prices, hands the units over at once and takes the payment;
endless aisle delivers what the store lacks from the channel's other locations. Every
refusal writes nothing. On both databases, over GraphQL, on the demo data."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from core.demo.seed import seed_demo
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories import GraphQLClient, bearer, staff_token
from tests.factories.events import stored_events
from tests.factories.till import (
    CARD,
    DECLINED_CARD,
    STORE,
    STORE_CHANNEL,
    counts,
    location_gid,
    sell,
    stock_everywhere,
    store_price,
    store_variants,
    till_staff,
    variants_missing_in_store,
)

ADDRESS = {
    "firstName": "Ann",
    "lastName": "Lee",
    "line1": "ul. Prosta 1",
    "postalCode": "00-001",
    "city": "Warszawa",
    "countryCode": "PL",
}


@pytest.fixture
async def staff(runtime: Runtime, gql: GraphQLClient) -> GraphQLClient:
    return await till_staff(runtime, gql)


async def test_a_till_sale_takes_the_stores_stock_and_no_one_elses(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (variant,) = await store_variants(runtime, at_least=2)
    before = await stock_everywhere(runtime, variant)

    sale = await sell(staff, await location_gid(runtime, STORE), [(variant, 2)])

    after = await stock_everywhere(runtime, variant)
    order = sale["order"]
    assert sale["errors"] == [] and not sale["replayed"]
    assert order["status"] == "COMPLETED" and order["paymentStatus"] == "CAPTURED"
    assert order["channel"] == {"slug": STORE_CHANNEL}
    on_hand, reserved = before[STORE]
    assert after[STORE] == (on_hand - 2, reserved)
    assert {slug: level for slug, level in after.items() if slug != STORE} == {
        slug: level for slug, level in before.items() if slug != STORE
    }
    assert order["deliveryGroups"] == [
        {
            "method": "PICKUP",
            "location": {"slug": STORE},
            "lines": [{"quantity": 2, "location": {"slug": STORE}}],
        }
    ]


async def test_prices_are_the_store_channels_and_cash_gets_change(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    first, second = await store_variants(runtime, at_least=1, count=2)
    prices = [await store_price(runtime, first), await store_price(runtime, second)]
    total = Decimal(prices[0]) + Decimal(prices[1])

    sale = await sell(
        staff,
        await location_gid(runtime, STORE),
        [(first, 1), (second, 1)],
        payment={"provider": "cash", "data": {"tendered": str(total + Decimal("20.00"))}},
    )

    assert sale["errors"] == []
    assert [line["unitPrice"]["amount"] for line in sale["order"]["lines"]] == prices
    assert Decimal(sale["order"]["cost"]["totalAmount"]["amount"]) == total
    assert sale["change"] == {"amount": "20.00", "currency": "PLN"}


async def test_too_little_cash_and_a_declined_card_write_nothing(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (variant,) = await store_variants(runtime, at_least=1)
    store = await location_gid(runtime, STORE)
    before = (await counts(runtime), await stock_everywhere(runtime, variant))

    short = await sell(
        staff, store, [(variant, 1)], payment={"provider": "cash", "data": {"tendered": "0.01"}}
    )
    declined = await sell(staff, store, [(variant, 1)], key="till-sale-0002", payment=DECLINED_CARD)

    assert [(e["code"], e["field"]) for e in short["errors"]] == [
        ("CASH_TENDERED_SHORT", ["payment"])
    ]
    assert [e["code"] for e in declined["errors"]] == ["PAYMENT_DECLINED"]
    assert short["order"] is None and declined["order"] is None
    assert (await counts(runtime), await stock_everywhere(runtime, variant)) == before


async def test_a_card_sale_is_captured_and_has_no_change(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (variant,) = await store_variants(runtime, at_least=1)

    sale = await sell(staff, await location_gid(runtime, STORE), [(variant, 1)], payment=CARD)

    assert sale["errors"] == [] and sale["change"] is None
    assert sale["order"]["paymentStatus"] == "CAPTURED"


async def test_a_token_of_another_store_is_forbidden(runtime: Runtime, gql: GraphQLClient) -> None:
    await seed_demo(runtime)
    (variant,) = await store_variants(runtime, at_least=1)
    krakow = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_MANAGE, locations=["krakow-store"]))
    )
    before = await counts(runtime)

    body = await krakow(
        'mutation ($l: ID!, $v: ID!) { posCheckout(locationId: $l, idempotencyKey: "k-1", '
        'lines: [{variantId: $v, quantity: 1}], payment: {provider: "card-present", '
        'data: {card: "4242424242424242"}}) { order { id } } }',
        {"l": await location_gid(runtime, STORE), "v": to_global_id("ProductVariant", variant)},
    )

    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await counts(runtime) == before


async def test_short_stock_without_delivery_is_refused_on_the_line(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (enough,) = await store_variants(runtime, at_least=1)
    missing = await variants_missing_in_store(runtime, warehouse_at_least=1)
    before = (await counts(runtime), await stock_everywhere(runtime, missing))

    sale = await sell(staff, await location_gid(runtime, STORE), [(enough, 1), (missing, 1)])

    assert [(e["code"], e["field"]) for e in sale["errors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "1"])
    ]
    assert (await counts(runtime), await stock_everywhere(runtime, missing)) == before


async def test_endless_aisle_hands_over_the_stores_units_and_delivers_the_rest(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (here,) = await store_variants(runtime, at_least=1)
    missing = await variants_missing_in_store(runtime, warehouse_at_least=2)
    warehouse_before = (await stock_everywhere(runtime, missing))["blonie-warehouse"]

    sale = await sell(
        staff,
        await location_gid(runtime, STORE),
        [(here, 1), (missing, 2)],
        payment=CARD,
        delivery={"address": ADDRESS},
    )

    order = sale["order"]
    assert sale["errors"] == []
    assert order["status"] == "PARTIALLY_FULFILLED" and order["paymentStatus"] == "CAPTURED"
    assert [(g["method"], g["lines"]) for g in order["deliveryGroups"]] == [
        ("PICKUP", [{"quantity": 1, "location": {"slug": STORE}}]),
        ("SHIPPING", [{"quantity": 2, "location": {"slug": "blonie-warehouse"}}]),
    ]
    # The cheapest home delivery the store channel offers (the store adapter's table).
    assert order["cost"]["deliveryAmount"]["amount"] in ("0.00", "9.99", "19.99")
    # The warehouse's units are allocated to the order, still on hand until shipped.
    on_hand, reserved = warehouse_before
    assert (await stock_everywhere(runtime, missing))["blonie-warehouse"] == (on_hand, reserved + 2)


async def test_endless_aisle_refuses_what_no_other_location_has(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (variant,) = await store_variants(runtime, at_least=1)
    before = await counts(runtime)

    sale = await sell(
        staff,
        await location_gid(runtime, STORE),
        [(variant, 999)],
        delivery={"address": ADDRESS},
    )

    assert [(e["code"], e["field"]) for e in sale["errors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "0"])
    ]
    assert await counts(runtime) == before


async def test_the_same_key_again_returns_the_first_sale_and_writes_nothing(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (variant,) = await store_variants(runtime, at_least=2)
    store = await location_gid(runtime, STORE)
    first = await sell(staff, store, [(variant, 1)], key="till-key-1")
    between = (await counts(runtime), await stock_everywhere(runtime, variant))

    again = await sell(staff, store, [(variant, 1)], key="till-key-1")
    other = await sell(staff, store, [(variant, 2)], key="till-key-1")

    assert again["replayed"] and again["order"]["number"] == first["order"]["number"]
    assert [e["code"] for e in other["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert (await counts(runtime), await stock_everywhere(runtime, variant)) == between


async def test_a_till_sale_records_a_placed_and_a_completed_handover(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (variant,) = await store_variants(runtime, at_least=1)
    already = len(await stored_events(runtime))

    sale = await sell(staff, await location_gid(runtime, STORE), [(variant, 1)])

    order_events = [
        event.payload
        for event in (await stored_events(runtime))[already:]
        if event.topic == "order"
    ]
    assert sale["errors"] == []
    assert [event["type"] for event in order_events] == [
        "OrderPlaced",
        "PaymentChanged",
        "OrderPickedUp",
        "PaymentChanged",
    ]
    assert order_events[2]["status"] == "completed"


async def test_endless_aisle_takes_a_named_delivery_option_or_refuses_an_unknown_one(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    missing = await variants_missing_in_store(runtime, warehouse_at_least=1)
    store = await location_gid(runtime, STORE)
    before = await counts(runtime)

    unknown = await sell(
        staff, store, [(missing, 1)], delivery={"address": ADDRESS, "optionId": "drone:now"}
    )
    unchanged = await counts(runtime)
    named = await sell(
        staff,
        store,
        [(missing, 1)],
        key="till-sale-0002",
        payment=CARD,
        delivery={"address": ADDRESS, "optionId": "shipping:standard"},
    )

    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [
        ("UNKNOWN_DELIVERY_OPTION", ["delivery", "optionId"])
    ]
    assert unchanged == before
    assert named["errors"] == []
    assert [g["method"] for g in named["order"]["deliveryGroups"]] == ["SHIPPING"]
    assert named["order"]["status"] == "PLACED"


async def test_concurrent_retries_of_one_sale_make_one_order(
    runtime: Runtime, staff: GraphQLClient
) -> None:
    (variant,) = await store_variants(runtime, at_least=1)
    store = await location_gid(runtime, STORE)
    orders_before = (await counts(runtime))[0]

    answers = await asyncio.gather(
        *(sell(staff, store, [(variant, 1)], key="one-till-key", payment=CARD) for _ in range(6))
    )

    assert all(answer["errors"] == [] for answer in answers), answers
    assert len({answer["order"]["number"] for answer in answers}) == 1
    assert sorted(answer["replayed"] for answer in answers) == [False] + [True] * 5
    assert (await counts(runtime))[0] == orders_before + 1
