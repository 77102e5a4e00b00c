"""``orderChanged``: the order first, then its changes (a cancellation; each status of
a click-and-collect order)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from core.config import Settings
from core.runtime import Runtime
from core.staff.model import Scope
from schema.schema import build_schema
from tests.factories import PUSH_TIMEOUT, GraphQLClient, bare_context, bearer, staff_token
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, PICKED_UP, READY, checkout, prepare
from tests.factories.returns import location_id

SUBSCRIPTION = """
subscription ($token: String!) {
  orderChanged(token: $token) { number status paymentStatus version }
}
"""

CANCEL = """
mutation ($id: ID!, $token: String!) {
  orderCancel(id: $id, reason: "no longer needed", token: $token) { errors { code } }
}
"""


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()


async def push(updates: Any) -> dict[str, Any]:
    result: ExecutionResult = await asyncio.wait_for(anext(updates), PUSH_TIMEOUT)
    assert result.errors is None, result.errors
    assert result.data is not None
    pushed: dict[str, Any] = result.data["orderChanged"]
    return pushed


async def test_a_guest_watching_the_order_sees_it_cancelled(
    runtime: Runtime, settings: Settings, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 3}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (1,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    placed = await checkout(gql, token)
    updates = await build_schema(settings).subscribe(
        SUBSCRIPTION,
        variable_values={"token": placed["orderToken"]},
        context_value=bare_context(runtime),
    )
    assert not isinstance(updates, ExecutionResult)

    first = await push(updates)
    cancelled = await gql(CANCEL, {"id": placed["order"]["id"], "token": placed["orderToken"]})
    second = await push(updates)
    await updates.aclose()

    assert first == {
        "number": placed["order"]["number"],
        "status": "PLACED",
        "paymentStatus": "AUTHORIZED",
        "version": 2,
    }
    assert cancelled["data"]["orderCancel"]["errors"] == []
    assert (second["status"], second["paymentStatus"]) == ("CANCELLED", "VOIDED")
    assert second["version"] > first["version"]


async def test_an_unknown_order_token_is_bad_input(runtime: Runtime, settings: Settings) -> None:
    updates = await build_schema(settings).subscribe(
        SUBSCRIPTION,
        variable_values={"token": "omot_" + "x" * 43},
        context_value=bare_context(runtime),
    )
    assert not isinstance(updates, ExecutionResult)
    result = await asyncio.wait_for(anext(updates), PUSH_TIMEOUT)
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "BAD_USER_INPUT", "reason": "ORDER_NOT_FOUND"}


WATCHED = """
subscription ($token: String!) {
  orderChanged(token: $token) { status paymentStatus version pickups { code collectedAt } }
}
"""


async def test_the_owner_sees_every_status_of_a_click_and_collect_order(
    runtime: Runtime, settings: Settings, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime, plugin="mobile", stock={(0, "centre"): 3}, extra_plugins=(GATEWAY,)
    )
    token = await make_cart(runtime, shop, (2,))
    await prepare(gql, token, handles={"delivery-1": "reserve:centre-store"}, address=None)
    placed = await checkout(gql, token)
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    where = {"order": placed["order"]["id"], "location": location_id(shop, "centre")}
    updates = await build_schema(settings).subscribe(
        WATCHED,
        variable_values={"token": placed["orderToken"]},
        context_value=bare_context(runtime),
    )
    assert not isinstance(updates, ExecutionResult)

    first = await push(updates)
    ready = (await staff(READY, where))["data"]["orderReadyForPickup"]
    second = await push(updates)
    code = second["pickups"][0]["code"]
    collected = (await staff(PICKED_UP, {**where, "code": code}))["data"]["orderPickupComplete"]
    third = await push(updates)
    await updates.aclose()

    assert ready["errors"] == [] and collected["errors"] == []
    assert (first["status"], first["pickups"]) == ("PLACED", [])
    assert second["status"] == "READY_FOR_PICKUP" and code
    assert (third["status"], third["paymentStatus"]) == ("COMPLETED", "CAPTURED")
    assert third["pickups"][0]["collectedAt"] is not None
    assert first["version"] < second["version"] < third["version"]
