"""Stock mutations end to end over HTTP: results, every error code, scopes, atomicity."""

from __future__ import annotations

from typing import Any

import pytest

from core.inventory.model import OwnerKind
from core.inventory.reservations import reserve_for_channel
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories import (
    GraphQLClient,
    Shop,
    bearer,
    make_location,
    make_shop,
    row_counts,
    staff_token,
    stored,
)

LEVEL = "variant { id sku } location { id slug } onHand reserved available"
MOVEMENT = "kind delta onHandAfter reason actor createdAt variant { sku } location { slug }"
ERRORS = "errors { field code message }"

STOCK_SET = f"""
mutation ($input: StockSetInput!) {{
  stockSet(input: $input) {{ stockLevel {{ {LEVEL} }} movement {{ {MOVEMENT} }} {ERRORS} }}
}}
"""
STOCK_ADJUST = f"""
mutation ($input: StockAdjustInput!) {{
  stockAdjust(input: $input) {{ stockLevel {{ {LEVEL} }} movement {{ {MOVEMENT} }} {ERRORS} }}
}}
"""
STOCK_SALE = f"""
mutation ($input: StockSaleRecordInput!) {{
  stockSaleRecord(input: $input) {{
    stockLevel {{ {LEVEL} }} movement {{ {MOVEMENT} }} {ERRORS}
  }}
}}
"""
STOCK_TRANSFER = f"""
mutation ($input: StockTransferInput!) {{
  stockTransfer(input: $input) {{
    fromStockLevel {{ {LEVEL} }} toStockLevel {{ {LEVEL} }} movements {{ {MOVEMENT} }} {ERRORS}
  }}
}}
"""
UNKNOWN_VARIANT_ID = to_global_id("ProductVariant", 999_999)
UNKNOWN_LOCATION_ID = to_global_id("Location", 999_999)


@pytest.fixture
async def shop(runtime: Runtime) -> Shop:
    return await make_shop(runtime, warehouse=10, store=3)


@pytest.fixture
async def staff(gql: GraphQLClient, runtime: Runtime) -> GraphQLClient:
    token = await staff_token(runtime, Scope.INVENTORY_WRITE, name="Ola from Kraków")
    return gql.with_headers(**bearer(token))


def variant_id(shop: Shop) -> str:
    return to_global_id("ProductVariant", shop.variant_id)


def warehouse_id(shop: Shop) -> str:
    return to_global_id("Location", shop.warehouse.id)


def store_id(shop: Shop) -> str:
    return to_global_id("Location", shop.store.id)


def data(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][field]
    return result


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


async def reserve(runtime: Runtime, shop: Shop, quantity: int) -> None:
    """A cart holds ``quantity`` (the warehouse is drawn on first)."""
    await reserve_for_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        owner_kind=OwnerKind.CART,
        owner_id="cart-1",
        variant_id=shop.variant_id,
        quantity=quantity,
        ttl_seconds=900,
    )


# ---------------------------------------------------------------- what each mutation does


async def test_stock_set_counts_stock_and_logs_who_did_it(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    await reserve(runtime, shop, 4)

    body = await staff(
        STOCK_SET,
        {
            "input": {
                "variantId": variant_id(shop),
                "locationId": warehouse_id(shop),
                "quantity": 25,
                "reason": "cycle count",
            }
        },
    )

    payload = data(body, "stockSet")
    assert payload["errors"] == []
    assert payload["stockLevel"] == {
        "variant": {"id": variant_id(shop), "sku": "WEB-TEE-1"},
        "location": {"id": warehouse_id(shop), "slug": "web-warehouse"},
        "onHand": 25,
        "reserved": 4,
        "available": 21,
    }
    movement = payload["movement"]
    assert movement["kind"] == "SET"
    assert (movement["delta"], movement["onHandAfter"]) == (15, 25)
    assert (movement["reason"], movement["actor"]) == ("cycle count", "Ola from Kraków")
    assert movement["createdAt"].startswith("2026-11-23T12:00:00")
    assert (await stored(runtime)).levels[(shop.variant_id, shop.warehouse.id)] == (25, 4)


async def test_stock_set_creates_the_level_of_a_location_without_stock(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    outlet = await make_location(runtime, slug="outlet")

    body = await staff(
        STOCK_SET,
        {
            "input": {
                "variantId": variant_id(shop),
                "locationId": to_global_id("Location", outlet.id),
                "quantity": 0,
                "reason": "new shelf",
            }
        },
    )

    payload = data(body, "stockSet")
    assert payload["errors"] == []
    assert (payload["stockLevel"]["onHand"], payload["stockLevel"]["available"]) == (0, 0)
    assert payload["movement"]["delta"] == 0


async def test_stock_adjust_adds_and_takes_away(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    add = {
        "variantId": variant_id(shop),
        "locationId": store_id(shop),
        "delta": 5,
        "reason": "delivery",
    }
    added = data(await staff(STOCK_ADJUST, {"input": add}), "stockAdjust")
    taken = data(
        await staff(STOCK_ADJUST, {"input": {**add, "delta": -6, "reason": "damaged"}}),
        "stockAdjust",
    )

    assert added["errors"] == taken["errors"] == []
    assert added["stockLevel"]["onHand"] == 8
    assert taken["stockLevel"]["onHand"] == 2
    assert (taken["movement"]["kind"], taken["movement"]["delta"]) == ("ADJUST", -6)
    assert (await stored(runtime)).levels[(shop.variant_id, shop.store.id)] == (2, 0)


async def test_a_pos_sale_takes_stock_from_the_store_at_once(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    body = await staff(
        STOCK_SALE,
        {"input": {"variantId": variant_id(shop), "locationId": store_id(shop), "quantity": 2}},
    )

    payload = data(body, "stockSaleRecord")
    assert payload["errors"] == []
    assert payload["stockLevel"]["onHand"] == 1
    assert payload["stockLevel"]["location"]["slug"] == "web-store"
    assert payload["movement"]["kind"] == "SALE"
    assert payload["movement"]["delta"] == -2
    assert payload["movement"]["actor"] == "Ola from Kraków"
    assert payload["movement"]["reason"] == "Point-of-sale sale"
    assert (await stored(runtime)).levels[(shop.variant_id, shop.store.id)] == (1, 0)


async def test_a_pos_sale_of_more_than_the_store_has_is_refused_and_writes_nothing(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    before, counts = await stored(runtime), await row_counts(runtime)

    body = await staff(
        STOCK_SALE,
        {"input": {"variantId": variant_id(shop), "locationId": store_id(shop), "quantity": 4}},
    )

    payload = data(body, "stockSaleRecord")
    assert codes(payload) == [(["input", "quantity"], "INSUFFICIENT_STOCK")]
    assert payload["stockLevel"] is None and payload["movement"] is None
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


async def test_a_pos_sale_cannot_sell_units_held_for_carts(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    shop = await make_shop(runtime, warehouse=0, store=3)
    await reserve(runtime, shop, 2)  # from the store: the warehouse has none
    before = await stored(runtime)

    body = await staff(
        STOCK_SALE,
        {"input": {"variantId": variant_id(shop), "locationId": store_id(shop), "quantity": 2}},
    )

    assert codes(data(body, "stockSaleRecord")) == [(["input", "quantity"], "INSUFFICIENT_STOCK")]
    assert await stored(runtime) == before


async def test_a_transfer_moves_stock_between_locations(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    body = await staff(
        STOCK_TRANSFER,
        {
            "input": {
                "variantId": variant_id(shop),
                "fromLocationId": warehouse_id(shop),
                "toLocationId": store_id(shop),
                "quantity": 4,
                "reason": "weekend restock",
            }
        },
    )

    payload = data(body, "stockTransfer")
    assert payload["errors"] == []
    assert payload["fromStockLevel"]["onHand"] == 6
    assert payload["fromStockLevel"]["location"]["slug"] == "web-warehouse"
    assert payload["toStockLevel"]["onHand"] == 7
    assert payload["toStockLevel"]["location"]["slug"] == "web-store"
    assert [(m["kind"], m["delta"], m["location"]["slug"]) for m in payload["movements"]] == [
        ("TRANSFER_OUT", -4, "web-warehouse"),
        ("TRANSFER_IN", 4, "web-store"),
    ]
    levels = (await stored(runtime)).levels
    assert levels[(shop.variant_id, shop.warehouse.id)] == (6, 0)
    assert levels[(shop.variant_id, shop.store.id)] == (7, 0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # The source has too little (3 of its 10 are held for a cart).
        ({"quantity": 8}, [(["input", "quantity"], "INSUFFICIENT_STOCK")]),
        # The receiving side is unknown: the source is not touched either.
        ({"toLocationId": UNKNOWN_LOCATION_ID}, [(["input", "toLocationId"], "UNKNOWN_LOCATION")]),
        ({"toLocationId": "bm9wZQ"}, [(["input", "toLocationId"], "INVALID_ID")]),
        ({"fromLocationId": "store"}, [(["input", "fromLocationId"], "INVALID_ID")]),
        ({"toLocationId": None}, [(["input", "toLocationId"], "INVALID")]),  # same as from
        ({"quantity": -1}, [(["input", "quantity"], "INVALID_QUANTITY")]),
        ({"reason": " "}, [(["input", "reason"], "REQUIRED")]),
    ],
)
async def test_a_transfer_that_fails_on_either_side_writes_nothing(
    staff: GraphQLClient,
    runtime: Runtime,
    shop: Shop,
    change: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    await reserve(runtime, shop, 3)
    before, counts = await stored(runtime), await row_counts(runtime)
    transfer = {
        "variantId": variant_id(shop),
        "fromLocationId": warehouse_id(shop),
        "toLocationId": store_id(shop),
        "quantity": 7,
        "reason": "rebalance",
    }
    transfer.update(change)
    if transfer["toLocationId"] is None:
        transfer["toLocationId"] = transfer["fromLocationId"]

    body = await staff(STOCK_TRANSFER, {"input": transfer})

    payload = data(body, "stockTransfer")
    assert codes(payload) == expected
    assert payload["fromStockLevel"] is None and payload["movements"] == []
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


# ---------------------------------------------------------------- bad input writes nothing


def _set(shop: Shop, **change: Any) -> tuple[str, dict[str, Any]]:
    values = {
        "variantId": variant_id(shop),
        "locationId": warehouse_id(shop),
        "quantity": 5,
        "reason": "count",
    }
    return STOCK_SET, {"input": {**values, **change}}


def _adjust(shop: Shop, **change: Any) -> tuple[str, dict[str, Any]]:
    values = {
        "variantId": variant_id(shop),
        "locationId": warehouse_id(shop),
        "delta": 1,
        "reason": "found one",
    }
    return STOCK_ADJUST, {"input": {**values, **change}}


def _sale(shop: Shop, **change: Any) -> tuple[str, dict[str, Any]]:
    values = {"variantId": variant_id(shop), "locationId": store_id(shop), "quantity": 1}
    return STOCK_SALE, {"input": {**values, **change}}


@pytest.mark.parametrize(
    ("mutation", "field", "change", "expected"),
    [
        (_set, "stockSet", {"variantId": UNKNOWN_VARIANT_ID}, [("variantId", "UNKNOWN_VARIANT")]),
        (
            _set,
            "stockSet",
            {"locationId": UNKNOWN_LOCATION_ID},
            [("locationId", "UNKNOWN_LOCATION")],
        ),
        (_set, "stockSet", {"quantity": -1}, [("quantity", "INVALID_QUANTITY")]),
        (_set, "stockSet", {"quantity": 2}, [("quantity", "INSUFFICIENT_STOCK")]),  # 3 reserved
        (_set, "stockSet", {"reason": ""}, [("reason", "REQUIRED")]),
        (_set, "stockSet", {"variantId": "not-an-id"}, [("variantId", "INVALID_ID")]),
        (
            _set,
            "stockSet",
            {"variantId": to_global_id("Product", 1), "locationId": "x"},
            [("variantId", "INVALID_ID"), ("locationId", "INVALID_ID")],
        ),
        (
            _set,
            "stockSet",
            {"variantId": UNKNOWN_VARIANT_ID, "locationId": UNKNOWN_LOCATION_ID, "quantity": -5},
            [
                ("quantity", "INVALID_QUANTITY"),
                ("variantId", "UNKNOWN_VARIANT"),
                ("locationId", "UNKNOWN_LOCATION"),
            ],
        ),
        (_adjust, "stockAdjust", {"delta": 0}, [("delta", "INVALID_QUANTITY")]),
        (_adjust, "stockAdjust", {"delta": -8}, [("delta", "INSUFFICIENT_STOCK")]),  # 7 free
        (
            _adjust,
            "stockAdjust",
            {"variantId": UNKNOWN_VARIANT_ID},
            [("variantId", "UNKNOWN_VARIANT")],
        ),
        (_adjust, "stockAdjust", {"locationId": "??"}, [("locationId", "INVALID_ID")]),
        (_sale, "stockSaleRecord", {"quantity": 0}, [("quantity", "INVALID_QUANTITY")]),
        (_sale, "stockSaleRecord", {"quantity": -2}, [("quantity", "INVALID_QUANTITY")]),
        (
            _sale,
            "stockSaleRecord",
            {"locationId": UNKNOWN_LOCATION_ID},
            [("locationId", "UNKNOWN_LOCATION")],
        ),
        (
            _sale,
            "stockSaleRecord",
            {"variantId": UNKNOWN_VARIANT_ID},
            [("variantId", "UNKNOWN_VARIANT")],
        ),
    ],
)
async def test_bad_input_is_a_user_error_and_writes_nothing(
    staff: GraphQLClient,
    runtime: Runtime,
    shop: Shop,
    mutation: Any,
    field: str,
    change: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    await reserve(runtime, shop, 3)  # all from the warehouse: 7 of its 10 are free
    before, counts = await stored(runtime), await row_counts(runtime)

    body = await staff(*mutation(shop, **change))

    payload = data(body, field)
    assert codes(payload) == [(["input", name], code) for name, code in expected]
    assert all(error["message"] for error in payload["errors"])
    assert payload["stockLevel"] is None
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


# ---------------------------------------------------------------- who may do it


@pytest.mark.parametrize("scopes", [None, (Scope.CATALOG_WRITE, Scope.CHANNELS_WRITE)])
@pytest.mark.parametrize("build", [_set, _adjust, _sale])
async def test_without_the_inventory_scope_nothing_is_written(
    gql: GraphQLClient,
    runtime: Runtime,
    shop: Shop,
    scopes: tuple[Scope, ...] | None,
    build: Any,
) -> None:
    headers = bearer(await staff_token(runtime, *scopes)) if scopes else {}
    before, counts = await stored(runtime), await row_counts(runtime)

    body = await gql(*build(shop), headers=headers)

    assert body["data"] is None
    expected = "FORBIDDEN" if scopes else "UNAUTHENTICATED"
    assert [error["extensions"]["code"] for error in body["errors"]] == [expected]
    assert await stored(runtime) == before
    assert await row_counts(runtime) == counts


async def test_a_transfer_without_a_valid_token_is_refused(
    gql: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    before = await stored(runtime)
    transfer = {
        "variantId": variant_id(shop),
        "fromLocationId": warehouse_id(shop),
        "toLocationId": store_id(shop),
        "quantity": 1,
        "reason": "x",
    }

    body = await gql(
        STOCK_TRANSFER, {"input": transfer}, headers={"Authorization": "Bearer omst_nope"}
    )

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await stored(runtime) == before
