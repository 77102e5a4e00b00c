"""``cartChanged``: the cart first, then every change made from any device or process."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from strawberry.types import ExecutionResult
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from core.carts import services
from core.carts.services import LineInput
from core.config import Settings
from core.runtime import Runtime
from schema.relay import to_global_id
from schema.schema import build_schema
from tests.factories import (
    PUSH_TIMEOUT,
    bare_context,
    free_port,
    make_shop,
    receive,
    start_server,
    wait_until_healthy,
)

SUBSCRIPTION = """
subscription ($token: String!) {
  cartChanged(token: $token) {
    version totalQuantity status
    lines { quantity }
    cost { totalAmount { amount currency } }
  }
}
"""

ADD = """
mutation ($token: String!, $variant: ID!) {
  cartLinesAdd(token: $token, lines: [{variantId: $variant, quantity: 2}]) { errors { code } }
}
"""


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()


async def subscribe(runtime: Runtime, settings: Settings, token: str) -> Any:
    schema = build_schema(settings)
    return await schema.subscribe(
        SUBSCRIPTION,
        variable_values={"token": token},
        context_value=bare_context(runtime),
    )


async def push(updates: Any) -> dict[str, Any]:
    result: ExecutionResult = await asyncio.wait_for(anext(updates), PUSH_TIMEOUT)
    assert result.errors is None, result.errors
    assert result.data is not None
    pushed: dict[str, Any] = result.data["cartChanged"]
    return pushed


async def test_every_device_gets_the_whole_cart_after_each_change(
    runtime: Runtime, settings: Settings
) -> None:
    shop = await make_shop(runtime, warehouse=10)
    other = await services.create_cart(runtime.uow(), channel_id=shop.channel.id)
    created = await services.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[LineInput(shop.variant_id, 1)]
    )
    assert created.token and other.token
    phone = await subscribe(runtime, settings, created.token)
    tablet = await subscribe(runtime, settings, created.token)

    try:
        assert (await push(phone))["version"] == 1
        assert (await push(tablet))["version"] == 1
        # A change to another cart pushes nothing; this cart's change reaches both.
        await services.add_lines(
            runtime.uow(), token=other.token, lines=[LineInput(shop.variant_id, 1)]
        )
        await services.add_lines(
            runtime.uow(), token=created.token, lines=[LineInput(shop.variant_id, 2)]
        )
        on_phone, on_tablet = await push(phone), await push(tablet)
    finally:
        await phone.aclose()
        await tablet.aclose()

    expected = {
        "version": 2,
        "totalQuantity": 3,
        "status": "ACTIVE",
        "lines": [{"quantity": 3}],
        "cost": {"totalAmount": {"amount": "30.00", "currency": "USD"}},
    }
    assert on_phone == on_tablet == expected


async def test_a_bad_or_unknown_token_is_refused(runtime: Runtime, settings: Settings) -> None:
    for token, reason in (("nope", "INVALID_CART_TOKEN"), ("omct_" + "Z" * 43, "CART_NOT_FOUND")):
        result = await subscribe(runtime, settings, token)
        first = result if isinstance(result, ExecutionResult) else await anext(result)
        assert first.errors is not None
        assert first.errors[0].extensions == {"code": "BAD_USER_INPUT", "reason": reason}


async def test_a_change_through_one_process_reaches_a_device_on_another(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL two server processes; on SQLite one takes both sides."""
    shop = await make_shop(runtime, warehouse=10)
    created = await services.create_cart(runtime.uow(), channel_id=shop.channel.id)
    token = created.token
    assert token
    cross_process = database_url.startswith("postgresql")
    ports = [free_port(), free_port()] if cross_process else [free_port()]
    servers = [start_server(database_url, p, tmp_path / f"server-{p}.log") for p in ports]
    watching, writing = f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[-1]}"
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
                await receive(connection)
                await connection.send(
                    json.dumps(
                        {
                            "id": "1",
                            "type": "subscribe",
                            "payload": {"query": SUBSCRIPTION, "variables": {"token": token}},
                        }
                    )
                )
                current = await receive(connection)
                response = await http.post(
                    f"http://{writing}/graphql",
                    json={
                        "query": ADD,
                        "variables": {
                            "token": token,
                            "variant": to_global_id("ProductVariant", shop.variant_id),
                        },
                    },
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

    assert current["payload"]["data"]["cartChanged"]["version"] == 1
    assert response.json() == {"data": {"cartLinesAdd": {"errors": []}}}
    assert pushed["payload"]["data"]["cartChanged"]["version"] == 2
    assert pushed["payload"]["data"]["cartChanged"]["lines"] == [{"quantity": 2}]
