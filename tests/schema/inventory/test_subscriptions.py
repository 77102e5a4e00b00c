"""``availabilityChanged``: current values first, then pushes after commits, per channel.

Runs on the test database: the in-process bus on SQLite, LISTEN/NOTIFY on
PostgreSQL. The last test serves the subscription over graphql-transport-ws from a
real uvicorn process; on PostgreSQL it starts two and proves that a change made
through one reaches a subscriber of the other.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from strawberry.types import ExecutionResult
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from core.channels import services as channels
from core.channels.model import StockDisplay
from core.config import Settings
from core.ids import VariantId
from core.inventory import services
from core.inventory.model import OwnerKind
from core.inventory.reservations import reserve_for_channel
from core.runtime import Runtime
from core.staff.model import Scope
from schema.relay import to_global_id
from schema.schema import build_schema
from tests.factories import (
    PUSH_TIMEOUT,
    Shop,
    bare_context,
    bearer,
    free_port,
    make_product,
    make_shop,
    receive,
    staff_token,
    start_server,
    wait_until_healthy,
)

SUBSCRIPTION = """
subscription ($variantIds: [ID!]!, $channel: String) {
  availabilityChanged(variantIds: $variantIds, channel: $channel) {
    variantId availability { status quantity }
  }
}
"""
Updates = AsyncGenerator[ExecutionResult, None]


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()  # the LISTEN connection, on PostgreSQL


async def subscribe(
    runtime: Runtime, settings: Settings, variant_ids: list[VariantId], channel: str = "web"
) -> Updates:
    schema = build_schema(settings)
    result = await schema.subscribe(
        SUBSCRIPTION,
        variable_values={
            "variantIds": [to_global_id("ProductVariant", v) for v in variant_ids],
            "channel": channel,
        },
        context_value=bare_context(runtime),
    )
    assert not isinstance(result, ExecutionResult), result.errors
    return result


async def push(updates: Updates) -> dict[str, Any]:
    result = await asyncio.wait_for(anext(updates), PUSH_TIMEOUT)
    assert result.errors is None, result.errors
    assert result.data is not None
    pushed: dict[str, Any] = result.data["availabilityChanged"]
    return pushed


def update(variant_id: VariantId, status: str, quantity: int | None) -> dict[str, Any]:
    return {
        "variantId": to_global_id("ProductVariant", variant_id),
        "availability": {"status": status, "quantity": quantity},
    }


async def set_stock(runtime: Runtime, shop: Shop, variant_id: VariantId, quantity: int) -> None:
    await services.set_stock(
        runtime.uow(),
        variant_id=variant_id,
        location_id=shop.warehouse.id,
        quantity=quantity,
        reason="count",
        actor="test",
    )


async def test_subscriber_gets_the_current_availability_then_each_change(
    runtime: Runtime, settings: Settings
) -> None:
    shop = await make_shop(runtime, warehouse=10, store=3)
    updates = await subscribe(runtime, settings, [shop.variant_id])

    try:
        first = await push(updates)
        await reserve_for_channel(
            runtime.uow(),
            channel_id=shop.channel.id,
            owner_kind=OwnerKind.CART,
            owner_id="cart-1",
            variant_id=shop.variant_id,
            quantity=4,
            ttl_seconds=600,
        )
        after_reservation = await push(updates)
        await set_stock(runtime, shop, shop.variant_id, 4)  # all 4 warehouse units held
        after_count = await push(updates)
    finally:
        await updates.aclose()

    assert first == update(shop.variant_id, "IN_STOCK", 13)
    assert after_reservation == update(shop.variant_id, "IN_STOCK", 9)
    assert after_count == update(shop.variant_id, "LOW_STOCK", 3)


async def test_a_variant_not_asked_for_pushes_nothing(runtime: Runtime, settings: Settings) -> None:
    shop = await make_shop(runtime, warehouse=10)
    other = (await make_product(runtime, channel=shop.channel, slug="other-tee")).variants[0].id
    updates = await subscribe(runtime, settings, [shop.variant_id])

    try:
        await push(updates)  # the current value
        await set_stock(runtime, shop, other, 7)
        await set_stock(runtime, shop, shop.variant_id, 8)
        pushed = await push(updates)
    finally:
        await updates.aclose()

    # Commits reach the bus in order: had the other variant pushed, it would be here.
    assert pushed == update(shop.variant_id, "IN_STOCK", 8)


async def test_a_status_only_channel_pushes_only_status_changes(
    runtime: Runtime, settings: Settings
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    await channels.update_channel(
        runtime.uow(),
        channel_id=shop.channel.id,
        stock_display=StockDisplay.STATUS,
        low_stock_threshold=3,
    )
    updates = await subscribe(runtime, settings, [shop.variant_id])

    try:
        first = await push(updates)
        await set_stock(runtime, shop, shop.variant_id, 9)  # still in stock: nothing to push
        await set_stock(runtime, shop, shop.variant_id, 2)
        low = await push(updates)
    finally:
        await updates.aclose()

    assert first == update(shop.variant_id, "IN_STOCK", None)
    assert low == update(shop.variant_id, "LOW_STOCK", None)


async def test_a_malformed_variant_id_is_refused(runtime: Runtime, settings: Settings) -> None:
    await make_shop(runtime)
    schema = build_schema(settings)
    result = await schema.subscribe(
        SUBSCRIPTION,
        variable_values={"variantIds": [strawberry.ID("nonsense")]},
        context_value=bare_context(runtime),
    )

    first = result if isinstance(result, ExecutionResult) else await anext(result)

    assert first.errors is not None
    assert first.errors[0].message == "Not a valid ID"


# ---------------------------------------------------------------- across server processes

STOCK_SET = """
mutation ($input: StockSetInput!) {
  stockSet(input: $input) { errors { field code message } }
}
"""


async def test_a_stock_mutation_is_pushed_over_graphql_transport_ws_across_processes(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL: subscribe to one server process, change stock through another.

    On SQLite events stay in their process: one server takes both.
    """
    shop = await make_shop(runtime, warehouse=10)
    token = await staff_token(runtime, Scope.INVENTORY_WRITE)
    cross_process = database_url.startswith("postgresql")
    ports = [free_port(), free_port()] if cross_process else [free_port()]
    servers = [start_server(database_url, p, tmp_path / f"server-{p}.log") for p in ports]
    watching, writing = f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[-1]}"
    variant = to_global_id("ProductVariant", shop.variant_id)

    try:
        async with httpx.AsyncClient(timeout=PUSH_TIMEOUT) as http:
            for server, port in zip(servers, ports, strict=True):
                await wait_until_healthy(http, f"http://127.0.0.1:{port}", server)
            async with connect(
                f"ws://{watching}/graphql",
                subprotocols=[Subprotocol("graphql-transport-ws")],
                open_timeout=PUSH_TIMEOUT,
            ) as connection:
                await connection.send(json.dumps({"type": "connection_init"}))
                ack = await receive(connection)
                await connection.send(
                    json.dumps(
                        {
                            "id": "1",
                            "type": "subscribe",
                            "payload": {
                                "query": SUBSCRIPTION,
                                "variables": {"variantIds": [variant]},
                            },
                        }
                    )
                )
                current = await receive(connection)
                response = await http.post(
                    f"http://{writing}/graphql",
                    json={
                        "query": STOCK_SET,
                        "variables": {
                            "input": {
                                "variantId": variant,
                                "locationId": to_global_id("Location", shop.warehouse.id),
                                "quantity": 7,
                                "reason": "count",
                            }
                        },
                    },
                    headers=bearer(token),
                )
                pushed = await receive(connection)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=PUSH_TIMEOUT)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    assert ack == {"type": "connection_ack"}
    assert current == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"availabilityChanged": update(shop.variant_id, "IN_STOCK", 10)}},
    }
    assert response.json() == {"data": {"stockSet": {"errors": []}}}
    assert pushed == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"availabilityChanged": update(shop.variant_id, "IN_STOCK", 7)}},
    }
