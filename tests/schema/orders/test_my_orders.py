"""``myOrdersChanged`` over a real WebSocket: a logged-in customer's orders pushed as they
change, new ones included and nobody else's, until the session ends. The session token
travels in ``connection_init``'s params, as a browser must send it (staff tokens too).

The app is served by uvicorn in the test's own process, on the test's runtime: a test
can then ask the runtime's bus whether the subscription listens yet (it pushes nothing
at the start), and sessions and carts share one frozen clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from core.carts import services as carts
from core.config import Settings
from core.events.bus import InProcessBus, PostgresBus
from core.runtime import Runtime
from core.staff.model import Scope
from schema.app import create_app
from tests.factories import (
    PUSH_TIMEOUT,
    GraphQLClient,
    bearer,
    log_in_customer,
    make_customer,
    receive,
    staff_token,
)
from tests.factories.delivery import DeliveryShop, make_delivery_shop
from tests.factories.orders import GATEWAY, checkout, prepare
from tests.factories.servers import running_server
from tests.factories.till import (
    STORE,
    STORE_CHANNEL,
    location_gid,
    sell,
    store_variants,
    till_staff,
)

MY_ORDERS_CHANGED = """
subscription { myOrdersChanged { number status paymentStatus version channel { slug } } }
"""

ORDER_EVENTS = "subscription { orderEvents { type order { number status } } }"

STAFF_CANCEL = """
mutation ($id: ID!) { orderCancel(id: $id, reason: "out of stock") { errors { code } } }
"""

LOGOUT = "mutation { customerLogout { errors { code } } }"


@pytest.fixture(autouse=True)
async def close_bus(runtime: Runtime) -> AsyncIterator[None]:
    yield
    await runtime.bus.close()


@pytest.fixture
async def ws_url(settings: Settings, runtime: Runtime) -> AsyncIterator[str]:
    """The app's GraphQL WebSocket URL, served by uvicorn in this process."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    # Connections wait in the backlog until uvicorn accepts them: nothing to poll for.
    listener.listen()
    config = uvicorn.Config(
        create_app(settings, runtime=runtime),
        lifespan="off",  # as the gql fixture's app: the test owns the runtime
        log_level="warning",
        timeout_graceful_shutdown=int(PUSH_TIMEOUT),
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}/graphql"
    finally:
        server.should_exit = True
        await serving
        listener.close()


@contextlib.asynccontextmanager
async def connected(url: str, **params: str) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection, acknowledged, with ``params`` in its init."""
    async with connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=PUSH_TIMEOUT
    ) as connection:
        await connection.send(json.dumps({"type": "connection_init", "payload": params}))
        assert await receive(connection) == {"type": "connection_ack"}
        yield connection


async def subscribe(connection: ClientConnection, query: str, operation_id: str = "1") -> None:
    message = {"id": operation_id, "type": "subscribe", "payload": {"query": query}}
    await connection.send(json.dumps(message))


async def listening(runtime: Runtime) -> None:
    """Wait until a subscription has subscribed to the bus (it pushes nothing at first)."""
    bus = runtime.bus
    assert isinstance(bus, InProcessBus | PostgresBus)
    async with asyncio.timeout(PUSH_TIMEOUT):
        # The stream gives no signal of its own, so the bus is asked (no timing assumed).
        while not bus.has_subscribers():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def pushed_order(connection: ClientConnection) -> dict[str, Any]:
    message = await receive(connection)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    order: dict[str, Any] = message["payload"]["data"]["myOrdersChanged"]
    return order


def session_params(token: str) -> dict[str, str]:
    """What a browser's graphql-ws client sends as connectionParams."""
    return {"authorization": f"Bearer {token}"}


async def place(
    gql: GraphQLClient, runtime: Runtime, shop: DeliveryShop, key: str, token: str | None = None
) -> dict[str, Any]:
    """An order checked out in the shop, as the customer of ``token`` (a guest without)."""
    made = await carts.create_cart(
        runtime.uow(), channel_id=shop.channel.id, lines=[carts.LineInput(shop.variants[0], 1)]
    )
    assert made.token is not None
    client = gql if token is None else gql.with_headers(**bearer(token))
    await prepare(client, made.token, handles={"delivery-1": "shipping:standard"})
    placed = await checkout(client, made.token, key=key)
    assert placed["errors"] == [], placed
    order: dict[str, Any] = placed["order"]
    return order


async def customers(runtime: Runtime) -> tuple[str, str]:
    """Session tokens of two customers, Ann's and Bob's."""
    tokens = []
    for email in ("ann@example.com", "bob@example.com"):
        await make_customer(runtime, email=email)
        tokens.append((await log_in_customer(runtime, email=email)).token)
    return tokens[0], tokens[1]


async def shop_with_stock(runtime: Runtime) -> DeliveryShop:
    return await make_delivery_shop(runtime, stock={(0, "warehouse"): 10}, extra_plugins=(GATEWAY,))


async def test_the_customer_gets_their_changed_and_new_orders_and_nobody_elses(
    runtime: Runtime, gql: GraphQLClient, ws_url: str
) -> None:
    shop = await shop_with_stock(runtime)
    ann, bob = await customers(runtime)
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    earlier = await place(gql, runtime, shop, "checkout-key-00001", ann)

    async with connected(ws_url, **session_params(ann)) as connection:
        await subscribe(connection, MY_ORDERS_CHANGED)
        await listening(runtime)
        # Bob's order and a guest's, placed and changed: nothing of them reaches Ann
        # (they would come before her own, in commit order).
        bobs = await place(gql, runtime, shop, "checkout-key-00002", bob)
        await place(gql, runtime, shop, "checkout-key-00003")
        await staff(STAFF_CANCEL, {"id": bobs["id"]})
        await staff(STAFF_CANCEL, {"id": earlier["id"]})
        cancelled = await pushed_order(connection)
        placed = await place(gql, runtime, shop, "checkout-key-00004", ann)
        new = await pushed_order(connection)

    assert cancelled == {
        "number": earlier["number"],
        "status": "CANCELLED",
        "paymentStatus": "VOIDED",
        "version": cancelled["version"],
        "channel": {"slug": "shop"},
    }
    assert cancelled["version"] > earlier["version"]
    assert new == {
        "number": placed["number"],
        "status": "PLACED",
        "paymentStatus": "AUTHORIZED",
        "version": placed["version"],
        "channel": {"slug": "shop"},
    }


async def test_a_sale_at_the_till_naming_the_customer_is_pushed_to_them(
    runtime: Runtime, gql: GraphQLClient, ws_url: str
) -> None:
    till = await till_staff(runtime, gql)
    ann, _bob = await customers(runtime)
    (variant,) = await store_variants(runtime, at_least=1)

    async with connected(ws_url, **session_params(ann)) as connection:
        await subscribe(connection, MY_ORDERS_CHANGED)
        await listening(runtime)
        store = await location_gid(runtime, STORE)
        await sell(till, store, [(variant, 1)], key="till-sale-0001")  # a guest's
        sale = await sell(
            till, store, [(variant, 1)], key="till-sale-0002", customer="ann@example.com"
        )
        pushed = await pushed_order(connection)

    assert sale["errors"] == []
    assert pushed == {
        "number": sale["order"]["number"],
        "status": "COMPLETED",
        "paymentStatus": "CAPTURED",
        "version": pushed["version"],
        "channel": {"slug": STORE_CHANNEL},
    }


async def test_the_subscription_completes_once_the_customer_logged_out(
    runtime: Runtime, gql: GraphQLClient, ws_url: str
) -> None:
    shop = await shop_with_stock(runtime)
    ann, _bob = await customers(runtime)
    staff = gql.with_headers(**bearer(await staff_token(runtime, Scope.ORDERS_MANAGE)))
    order = await place(gql, runtime, shop, "checkout-key-00001", ann)

    async with connected(ws_url, **session_params(ann)) as connection:
        await subscribe(connection, MY_ORDERS_CHANGED)
        await listening(runtime)
        logout = await gql(LOGOUT, headers=bearer(ann))
        await staff(STAFF_CANCEL, {"id": order["id"]})
        ended = await receive(connection)

    assert logout == {"data": {"customerLogout": {"errors": []}}}
    assert ended == {"id": "1", "type": "complete"}  # the cancellation was not pushed


async def test_without_a_live_customer_session_it_is_unauthenticated(
    runtime: Runtime, ws_url: str
) -> None:
    await make_customer(runtime)
    session = await log_in_customer(runtime)
    staff = await staff_token(runtime, Scope.ORDERS_READ)
    refused = {}

    for name, params in (
        ("no token", {}),
        ("a staff token", session_params(staff)),
        ("an unknown token", session_params("omcs_abcdefgh_" + "x" * 43)),
        ("not a bearer", {"authorization": session.token}),
    ):
        async with connected(ws_url, **params) as connection:
            await subscribe(connection, MY_ORDERS_CHANGED)
            answer, end = await receive(connection), await receive(connection)
        refused[name] = ([e["extensions"]["code"] for e in answer["payload"]["errors"]], end)

    complete = {"id": "1", "type": "complete"}
    assert refused == {
        "no token": (["UNAUTHENTICATED"], complete),
        "a staff token": (["UNAUTHENTICATED"], complete),
        "an unknown token": (["UNAUTHENTICATED"], complete),
        "not a bearer": (["UNAUTHENTICATED"], complete),
    }


async def test_staff_authenticate_order_events_by_connection_params_alone(
    runtime: Runtime, gql: GraphQLClient, ws_url: str
) -> None:
    shop = await shop_with_stock(runtime)
    token = await staff_token(runtime, Scope.ORDERS_READ)

    async with connected(ws_url, Authorization=f"Bearer {token}") as connection:
        await subscribe(connection, ORDER_EVENTS)
        await listening(runtime)
        placed = await place(gql, runtime, shop, "checkout-key-00001")
        pushed = await receive(connection)

    assert pushed == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {
                "orderEvents": {
                    "type": "OrderPlaced",
                    "order": {"number": placed["number"], "status": "PLACED"},
                }
            }
        },
    }


async def test_a_change_made_through_another_server_process_is_pushed(
    runtime: Runtime, gql: GraphQLClient, ws_url: str, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("on SQLite events stay in the process that committed them")
    shop = await shop_with_stock(runtime)
    ann, _bob = await customers(runtime)
    staff = bearer(await staff_token(runtime, Scope.ORDERS_MANAGE))
    order = await place(gql, runtime, shop, "checkout-key-00001", ann)

    async with (
        running_server(database_url, tmp_path / "server.log") as other,
        httpx.AsyncClient(base_url=other, headers=staff, timeout=PUSH_TIMEOUT) as http,
        connected(ws_url, **session_params(ann)) as connection,
    ):
        await subscribe(connection, MY_ORDERS_CHANGED)
        await listening(runtime)
        await GraphQLClient(http)(STAFF_CANCEL, {"id": order["id"]})
        cancelled = await pushed_order(connection)

    assert (cancelled["number"], cancelled["status"]) == (order["number"], "CANCELLED")
