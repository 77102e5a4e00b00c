"""``orderChanged``: the order first, then its changes (a cancellation here)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from core.config import Settings
from core.runtime import Runtime
from schema.schema import build_schema
from tests.factories import PUSH_TIMEOUT, GraphQLClient, bare_context
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare

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
