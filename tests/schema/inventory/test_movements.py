"""The stock movement log over HTTP: newest first, filtered, keyset-paged, staff only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.clock import FrozenClock
from core.inventory import services
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from tests.factories import GraphQLClient, Shop, bearer, make_shop, staff_token

MOVEMENTS = """
query ($variantId: ID, $locationId: ID, $first: Int, $after: String) {
  stockMovements(variantId: $variantId, locationId: $locationId, first: $first, after: $after) {
    edges { cursor node { id kind delta onHandAfter reason actor createdAt } }
    nodes { reason variant { sku } location { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@pytest.fixture
async def staff(gql: GraphQLClient, runtime: Runtime) -> GraphQLClient:
    return gql.with_headers(**bearer(await staff_token(runtime, Scope.INVENTORY_WRITE)))


@pytest.fixture
async def shop(runtime: Runtime, clock: FrozenClock) -> Shop:
    """Movements "initial count" x2 (make_shop), then "delivery 1".."delivery 5"."""
    shop = await make_shop(runtime, warehouse=10, store=3)
    for number in range(1, 6):
        clock.set(clock.now() + timedelta(minutes=1))
        await services.adjust_stock(
            runtime.uow(),
            variant_id=shop.variant_id,
            location_id=shop.store.id if number % 2 else shop.warehouse.id,
            delta=number,
            reason=f"delivery {number}",
            actor="Piotr",
        )
    return shop


async def page(staff: GraphQLClient, **variables: Any) -> dict[str, Any]:
    body = await staff(MOVEMENTS, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["stockMovements"]
    return result


async def test_the_log_is_newest_first_with_who_when_why_and_what(
    staff: GraphQLClient, shop: Shop
) -> None:
    result = await page(staff)

    reasons = [node["reason"] for node in result["nodes"]]
    assert reasons == [
        "delivery 5",
        "delivery 4",
        "delivery 3",
        "delivery 2",
        "delivery 1",
        "initial count",
        "initial count",
    ]
    newest = result["edges"][0]["node"]
    assert (newest["kind"], newest["delta"], newest["onHandAfter"]) == ("ADJUST", 5, 3 + 1 + 3 + 5)
    assert newest["actor"] == "Piotr"
    assert newest["createdAt"].startswith("2026-11-23T12:05:00")
    assert result["nodes"][0]["variant"] == {"sku": "WEB-TEE-1"}
    assert result["nodes"][0]["location"] == {"slug": "web-store"}
    assert result["pageInfo"]["hasNextPage"] is False


async def test_pages_follow_each_other_without_gaps_or_repeats(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    first = await page(staff, first=3)
    # A movement written between pages does not shift the next page.
    await services.adjust_stock(
        runtime.uow(),
        variant_id=shop.variant_id,
        location_id=shop.store.id,
        delta=1,
        reason="late delivery",
        actor="Piotr",
    )
    second = await page(staff, first=3, after=first["pageInfo"]["endCursor"])
    third = await page(staff, first=3, after=second["pageInfo"]["endCursor"])

    reasons = [[node["reason"] for node in p["nodes"]] for p in (first, second, third)]
    assert reasons == [
        ["delivery 5", "delivery 4", "delivery 3"],
        ["delivery 2", "delivery 1", "initial count"],
        ["initial count"],
    ]
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, third)] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (first, second, third)] == [
        False,
        True,
        True,
    ]
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    ids = [edge["node"]["id"] for p in (first, second, third) for edge in p["edges"]]
    assert len(set(ids)) == 7


async def test_the_log_filters_by_location_and_variant(
    staff: GraphQLClient, runtime: Runtime, shop: Shop
) -> None:
    other = await make_shop(runtime, warehouse=1, slug="mobile")

    at_store = await page(staff, locationId=to_global_id("Location", shop.store.id))
    of_variant = await page(staff, variantId=to_global_id("ProductVariant", other.variant_id))
    both = await page(
        staff,
        variantId=to_global_id("ProductVariant", shop.variant_id),
        locationId=to_global_id("Location", shop.warehouse.id),
        first=1,
    )

    assert [node["reason"] for node in at_store["nodes"]] == [
        "delivery 5",
        "delivery 3",
        "delivery 1",
        "initial count",
    ]
    assert [node["variant"]["sku"] for node in of_variant["nodes"]] == ["MOBILE-TEE-1"]
    assert [node["reason"] for node in both["nodes"]] == ["delivery 4"]
    assert both["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    "variables",
    [
        {"after": "garbage"},
        {"after": to_global_id("Product", 3)},
        {"first": 101},
        {"first": -1},
        {"variantId": to_global_id("Location", 1)},
        {"locationId": "nope"},
    ],
)
async def test_bad_arguments_are_bad_user_input(
    staff: GraphQLClient, shop: Shop, variables: dict[str, Any]
) -> None:
    body = await staff(MOVEMENTS, variables)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("scopes", [None, (Scope.CATALOG_WRITE,)])
async def test_only_staff_with_the_inventory_scope_read_the_log(
    gql: GraphQLClient, runtime: Runtime, shop: Shop, scopes: tuple[Scope, ...] | None
) -> None:
    headers = bearer(await staff_token(runtime, *scopes)) if scopes else {}

    body = await gql(MOVEMENTS, {}, headers=headers)

    assert body["data"] is None
    code = "FORBIDDEN" if scopes else "UNAUTHENTICATED"
    assert body["errors"][0]["extensions"]["code"] == code
