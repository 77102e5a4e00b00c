"""``orderEvents``: a store's staff see the order events of their store as they commit,
and no other store's (issue 14, point 5)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from core.config import Settings
from core.events.bus import InProcessBus, PostgresBus
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from schema.schema import build_schema
from tests.factories import PUSH_TIMEOUT, GraphQLClient, bare_context, bearer, staff_token
from tests.factories.delivery import DeliveryShop, make_cart, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare

SUBSCRIPTION = """
subscription ($locations: [ID!]) {
  orderEvents(locationIds: $locations) {
    type locationIds order { number status deliveryGroups { location { slug } } }
  }
}
"""

CANCEL = """
mutation ($id: ID!) { orderCancel(id: $id, reason: "gone") { errors { code } } }
"""


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()


async def collect_at(
    runtime: Runtime, gql: GraphQLClient, shop: DeliveryShop, store: str, key: str
) -> dict[str, Any]:
    token = await make_cart(runtime, shop, (1,))
    await prepare(gql, token, handles={"delivery-1": f"pickup:{store}"}, address=None)
    placed = await checkout(gql, token, key=key)
    assert placed["errors"] == [], placed
    order: dict[str, Any] = placed["order"]
    return order


async def subscribe(
    runtime: Runtime, settings: Settings, token: str, locations: list[str] | None = None
) -> Any:
    """The subscription's stream, once it listens on the bus."""
    updates = await build_schema(settings).subscribe(
        SUBSCRIPTION,
        variable_values={"locations": locations},
        context_value=bare_context(runtime, **bearer(token)),
    )
    assert not isinstance(updates, ExecutionResult)
    return updates


async def next_push(updates: Any) -> ExecutionResult:
    result: ExecutionResult = await asyncio.wait_for(anext(updates), PUSH_TIMEOUT)
    return result


async def listening(runtime: Runtime, first_push: asyncio.Task[ExecutionResult]) -> None:
    """Wait until the stream has subscribed to the bus (it pushes nothing at the start)."""
    bus = runtime.bus
    assert isinstance(bus, InProcessBus | PostgresBus)
    async with asyncio.timeout(PUSH_TIMEOUT):
        # The stream gives no signal of its own, so the bus is asked (no timing assumed).
        while not bus.has_subscribers() and not first_push.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_store_gets_its_new_pickup_order_and_not_another_stores(
    runtime: Runtime, settings: Settings, gql: GraphQLClient
) -> None:
    shop = await make_delivery_shop(
        runtime, stock={(0, "centre"): 3, (0, "far"): 3}, extra_plugins=(GATEWAY,)
    )
    centre_id = to_global_id("Location", shop.centre.id)
    till = await staff_token(runtime, Scope.ORDERS_MANAGE, locations=["centre-store"])
    updates = await subscribe(runtime, settings, till, [centre_id])
    first_push = asyncio.create_task(next_push(updates))
    await listening(runtime, first_push)

    at_far = await collect_at(runtime, gql, shop, "far-store", "checkout-key-00001")
    at_centre = await collect_at(runtime, gql, shop, "centre-store", "checkout-key-00002")
    first = await first_push
    manager = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE, name="m")))
    await manager(CANCEL, {"id": at_far["id"]})
    await manager(CANCEL, {"id": at_centre["id"]})
    second = await next_push(updates)
    await updates.aclose()

    assert first.errors is None and second.errors is None
    assert first.data == {
        "orderEvents": {
            "type": "OrderPlaced",
            "locationIds": [centre_id],
            "order": {
                "number": at_centre["number"],
                "status": "PLACED",
                "deliveryGroups": [{"location": {"slug": "centre-store"}}],
            },
        }
    }
    assert second.data is not None
    pushed = second.data["orderEvents"]
    assert (pushed["type"], pushed["order"]["number"], pushed["order"]["status"]) == (
        "OrderCancelled",
        at_centre["number"],
        "CANCELLED",
    )
    assert at_far["number"] != at_centre["number"]


async def test_a_store_token_asking_for_another_store_is_forbidden(
    runtime: Runtime, settings: Settings
) -> None:
    shop = await make_delivery_shop(runtime, stock={}, extra_plugins=(GATEWAY,))
    till = await staff_token(runtime, Scope.ORDERS_READ, locations=["centre-store"])
    catalog = await staff_token(runtime, Scope.CATALOG_WRITE, name="catalog")

    asked = await subscribe(runtime, settings, till, [to_global_id("Location", shop.far.id)])
    refused = await next_push(asked)
    unscoped = await subscribe(runtime, settings, catalog)
    no_scope = await next_push(unscoped)

    assert refused.errors is not None and no_scope.errors is not None
    assert refused.errors[0].extensions == {"code": "FORBIDDEN"}
    assert no_scope.errors[0].extensions == {"code": "FORBIDDEN"}
