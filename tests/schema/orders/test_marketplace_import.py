"""marketplaceOrderImport (issue 15, point 1): a marketplace's order becomes one paid
order of its channel, at its prices, allocated like a checkout; refusals write nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from core.runtime import Runtime
from core.staff.model import Scope
from tests.factories import (
    GraphQLClient,
    bearer,
    make_channel,
    make_product,
    row_counts,
    staff_token,
    stored_events,
)
from tests.factories.marketplace import IMPORT, import_order, make_marketplace, order_input


async def staff(runtime: Runtime, gql: GraphQLClient) -> GraphQLClient:
    return gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))


async def stock_and_reservations(runtime: Runtime) -> list[tuple[Any, ...]]:
    """(variant, location, on hand, reserved) per stock row, then every reservation."""
    async with runtime.reads.connect() as connection:
        levels = await connection.execute(
            text(
                "SELECT variant_id, location_id, on_hand, reserved FROM stock_levels "
                "ORDER BY variant_id, location_id"
            )
        )
        held = await connection.execute(
            text(
                "SELECT owner_kind, owner_id, variant_id, location_id, quantity "
                "FROM reservations ORDER BY id"
            )
        )
        return [tuple(row) for row in levels.all()] + [tuple(row) for row in held.all()]


async def test_an_import_places_a_paid_order_at_the_marketplace_prices(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_marketplace(runtime, stock={(0, "warehouse"): 5, (1, "centre"): 3})
    client = await staff(runtime, gql)

    imported = await import_order(
        client, order_input(lines=(("BOOT-1", 2, "55.50"), ("BOOT-2", 1, "10.00")))
    )

    assert imported["errors"] == [] and imported["replayed"] is False
    order = imported["order"]
    assert order["externalId"] == "MP-1001" and order["email"] == "buyer@example.com"
    assert order["status"] == "PLACED" and order["paymentStatus"] == "CAPTURED"
    # As given: no commission (the adapter's price_lines hook is not asked).
    lines = [
        (line["sku"], line["quantity"], line["unitPrice"], line["totalPrice"])
        for line in order["lines"]
    ]
    assert lines == [
        ("BOOT-1", 2, {"amount": "55.50"}, {"amount": "111.00"}),
        ("BOOT-2", 1, {"amount": "10.00"}, {"amount": "10.00"}),
    ]
    assert order["cost"] == {
        "subtotalAmount": {"amount": "121.00"},
        "deliveryAmount": {"amount": "4.99"},
        "totalAmount": {"amount": "125.99", "currency": "PLN"},
    }
    assert order["shippingAddress"] == {"city": "Warszawa", "countryCode": "PL"}
    # Allocated at the channel's locations, by priority, as a checkout's default plan.
    [group] = order["deliveryGroups"]
    assert group["method"] == "MARKETPLACE" and group["cost"] == {"amount": "4.99"}
    assert sorted((u["location"]["slug"], u["quantity"]) for u in group["lines"]) == [
        ("centre-store", 1),
        ("warehouse", 2),
    ]
    held = await stock_and_reservations(runtime)
    assert sorted((row[2], row[3], row[4]) for row in held if row[0] == "order") == sorted(
        [(shop.variants[0], shop.warehouse.id, 2), (shop.variants[1], shop.centre.id, 1)]
    )
    assert [(h["status"], h["paymentStatus"]) for h in order["history"]] == [("PLACED", "CAPTURED")]
    async with runtime.reads.connect() as connection:
        payment = (
            await connection.execute(
                text("SELECT provider, status, amount_minor, captured_minor FROM payments")
            )
        ).one()
    assert tuple(payment) == ("marketplace:shop", "CAPTURED", 12599, 12599)
    events = {event.payload.get("type"): event.payload for event in await stored_events(runtime)}
    assert "OrderPlaced" in events and "PaymentChanged" in events
    assert events["OrderPlaced"]["customer_id"] is None  # nobody's myOrdersChanged


async def test_the_same_import_again_returns_the_first_order_and_writes_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 5})
    client = await staff(runtime, gql)
    first = await import_order(client, order_input())
    before = await row_counts(runtime)

    again = await import_order(client, order_input())
    # Another content under the same id is still the first order (documented).
    changed = await import_order(client, order_input(lines=(("BOOT-1", 1, "1.00"),)))

    for replay in (again, changed):
        assert replay["errors"] == [] and replay["replayed"] is True
        assert replay["order"]["number"] == first["order"]["number"]
        assert replay["order"]["lines"] == first["order"]["lines"]
    assert await row_counts(runtime) == before


async def test_an_unknown_sku_refuses_the_whole_import_and_writes_nothing(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 5})
    client = await staff(runtime, gql)
    before = await row_counts(runtime)
    stock = await stock_and_reservations(runtime)

    refused = await import_order(
        client, order_input(lines=(("BOOT-1", 1, "55.50"), ("NO-SUCH-SKU", 1, "5.00")))
    )

    assert refused["order"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        (["input", "lines", "1", "sku"], "UNKNOWN_SKU")
    ]
    after = await row_counts(runtime)
    assert after == before
    assert after["orders"] == 0 and after["reservations"] == 0
    assert await stock_and_reservations(runtime) == stock


async def test_a_sku_not_sold_in_the_channel_is_refused(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    shop = await make_marketplace(runtime, stock={(0, "warehouse"): 5})
    web = await make_channel(runtime, slug="web", currency="PLN")
    await make_product(runtime, channel=web, slug="hat", variants=["HAT-1"], price="9.00")
    await make_product(
        runtime, channel=shop.channel, slug="scarf", variants=["SCARF-1"], is_published=False
    )
    await make_product(
        runtime, channel=shop.channel, slug="glove", variants=["GLOVE-1"], price=None
    )
    client = await staff(runtime, gql)
    before = await row_counts(runtime)

    refused = await import_order(
        client,
        order_input(lines=(("HAT-1", 1, "9.00"), ("SCARF-1", 1, "9.00"), ("GLOVE-1", 1, "9.00"))),
    )

    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        (["input", "lines", str(index), "sku"], "NOT_SOLD_IN_CHANNEL") for index in range(3)
    ]
    assert await row_counts(runtime) == before


async def test_short_stock_refuses_the_import_on_the_line(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 2, (0, "centre"): 1, (1, "far"): 4})
    client = await staff(runtime, gql)
    before = await row_counts(runtime)
    stock = await stock_and_reservations(runtime)

    refused = await import_order(
        client, order_input(lines=(("BOOT-2", 1, "5.00"), ("BOOT-1", 4, "55.50")))
    )

    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        (["input", "lines", "1"], "INSUFFICIENT_STOCK")
    ]
    assert await row_counts(runtime) == before
    assert await stock_and_reservations(runtime) == stock


async def test_bad_quantities_amounts_and_empty_orders_are_refused_on_their_paths(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 5})
    client = await staff(runtime, gql)
    before = await row_counts(runtime)

    zero = await import_order(client, order_input(lines=(("BOOT-1", 0, "55.50"),)))
    euros = await import_order(client, order_input(currency="EUR"))
    empty = await import_order(client, order_input(lines=()))
    negative = await import_order(client, order_input(lines=(("BOOT-1", 1, "-1.00"),)))

    assert [(e["field"], e["code"]) for e in zero["errors"]] == [
        (["input", "lines", "0", "quantity"], "INVALID_QUANTITY")
    ]
    assert [(e["field"], e["code"]) for e in euros["errors"]] == [
        (["input", "lines", "0", "unitPrice", "currency"], "CURRENCY_MISMATCH"),
        (["input", "deliveryAmount", "currency"], "CURRENCY_MISMATCH"),
    ]
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [(["input", "lines"], "REQUIRED")]
    assert [(e["field"], e["code"]) for e in negative["errors"]] == [
        (["input", "lines", "0", "unitPrice"], "NEGATIVE_PRICE")
    ]
    assert await row_counts(runtime) == before


async def test_only_marketplace_channels_and_unscoped_order_managers_import(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 5})
    await make_channel(runtime, slug="web", currency="PLN")
    client = await staff(runtime, gql)
    store = gql.with_headers(
        **bearer(await staff_token(runtime, Scope.ORDERS_MANAGE, locations=["centre-store"]))
    )
    reader = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_READ)))
    variables = {"channel": "shop", "input": order_input()}

    web = await import_order(client, order_input(), channel="web")
    unknown = await import_order(client, order_input(), channel="nowhere")
    scoped = await store(IMPORT, variables)
    read_only = await reader(IMPORT, variables)
    anonymous = await gql(IMPORT, variables)

    assert [(e["field"], e["code"]) for e in web["errors"]] == [
        (["channel"], "NOT_A_MARKETPLACE_CHANNEL")
    ]
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [
        (["channel"], "UNKNOWN_CHANNEL")
    ]
    assert scoped["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert read_only["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await row_counts(runtime))["orders"] == 0


async def test_concurrent_imports_of_one_external_id_make_one_order(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_marketplace(runtime, stock={(0, "warehouse"): 10})
    client = await staff(runtime, gql)

    answers = await asyncio.gather(*(import_order(client, order_input()) for _ in range(4)))

    assert all(answer["errors"] == [] for answer in answers), answers
    assert len({answer["order"]["number"] for answer in answers}) == 1
    assert sorted(answer["replayed"] for answer in answers) == [False, True, True, True]
    counts = await row_counts(runtime)
    assert counts["orders"] == 1 and counts["payments"] == 1
    stock = await stock_and_reservations(runtime)
    assert [row[4] for row in stock if row[0] == "order"] == [2]
