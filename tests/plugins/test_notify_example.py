"""The example notification plugin (examples/plugins/omnicart-notify): a cancelled order
becomes one message to its customer in the plugin's own table, through the real event
delivery and on the real database."""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from core.config import Settings
from core.event_hooks.dispatcher import EventDispatcher
from core.ids import OrderId
from core.inventory import services as inventory
from core.orders import services
from core.plugin_host import PluginHost
from core.runtime import Runtime
from schema.relay import from_global_id
from tests.factories import GraphQLClient
from tests.factories.delivery import make_cart, make_delivery_shop
from tests.factories.orders import FULFIL, GATEWAY, checkout, owner_view, prepare
from tests.factories.returns import REFUND_CREATE, collected_order, location_id

PACKAGE = Path(__file__).parents[2] / "examples" / "plugins" / "omnicart-notify" / "omnicart_notify"


@pytest.fixture
async def notify(settings: Settings, runtime: Runtime) -> AsyncIterator[types.ModuleType]:
    spec = importlib.util.spec_from_file_location("omnicart_notify", PACKAGE / "__init__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module.__name__] = module
    try:
        spec.loader.exec_module(module)
        module.__dict__["DATABASE_URL"] = settings.database_url
        yield module
    finally:
        del sys.modules[module.__name__]
        # The plugin's table is not Omnicart's: leave the test database as it was.
        async with runtime.engine.begin() as connection:
            await connection.execute(text("DROP TABLE IF EXISTS notify_messages"))


async def messages(runtime: Runtime) -> list[dict[str, Any]]:
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT event_type, order_id, email, subject FROM notify_messages ORDER BY id")
        )
        return [dict(row._mapping) for row in rows]


async def test_cancelling_an_order_writes_the_customers_message(
    runtime: Runtime, settings: Settings, gql: GraphQLClient, notify: types.ModuleType
) -> None:
    shop_runtime = Runtime.build(
        settings,
        engine=runtime.engine,
        reads=runtime.reads,
        clock=runtime.clock,
        plugins=PluginHost.load(extra={"notify": notify}),
    )
    shop = await make_delivery_shop(runtime, stock={(0, "warehouse"): 3}, extra_plugins=(GATEWAY,))
    token = await make_cart(runtime, shop, (1,))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"}, email="ann@example.com")
    placed = (await checkout(gql, token))["order"]
    _, key = from_global_id(placed["id"], "Order")
    await services.cancel_as_staff(
        shop_runtime.uow(), OrderId(key), staff_name="Alice", reason="out of stock"
    )

    await EventDispatcher(shop_runtime).deliver()
    await EventDispatcher(shop_runtime).deliver()  # again: nothing new, nothing twice

    assert await messages(runtime) == [
        {
            "event_type": "OrderCancelled",
            "order_id": key,
            "email": "ann@example.com",
            "subject": f"Your order {placed['number']} was cancelled",
        }
    ]


async def test_ready_shipped_and_refunded_orders_each_write_one_message(
    runtime: Runtime, settings: Settings, gql: GraphQLClient, notify: types.ModuleType
) -> None:
    shop_runtime = Runtime.build(
        settings,
        engine=runtime.engine,
        reads=runtime.reads,
        clock=runtime.clock,
        plugins=PluginHost.load(extra={"notify": notify}),
    )
    # Ready at the store, then collected (OrderPickedUp has no message), then refunded.
    done = await collected_order(runtime, gql)
    _, collected_key = from_global_id(done.order["id"], "Order")
    refund = {
        "order": done.order["id"],
        "key": "notify-refund-0001",
        "amount": {"amount": "10.00", "currency": "PLN"},
        "reason": "scratched",
    }
    refunded = (await done.staff(REFUND_CREATE, refund))["data"]["refundCreate"]
    assert refunded["errors"] == [], refunded
    # Shipped from the warehouse.
    await inventory.set_stock(
        runtime.uow(),
        variant_id=done.shop.variants[1],
        location_id=done.shop.warehouse.id,
        quantity=3,
        reason="count",
        actor="test",
    )
    token = await make_cart(runtime, done.shop, (0, 1))
    await prepare(gql, token, handles={"delivery-1": "shipping:standard"})
    placed = await checkout(gql, token, key="notify-checkout-0002")
    assert placed["errors"] == [], placed
    shipped = await owner_view(gql, placed["orderToken"])
    _, shipped_key = from_global_id(shipped["id"], "Order")
    fulfilled = await done.staff(
        FULFIL,
        {
            "order": shipped["id"],
            "location": location_id(done.shop, "warehouse"),
            "lines": [{"orderLineId": shipped["lines"][0]["id"], "quantity": 1}],
        },
    )
    assert fulfilled["data"]["fulfilmentCreate"]["errors"] == [], fulfilled

    await EventDispatcher(shop_runtime).deliver()

    got = [(m["event_type"], m["order_id"]) for m in await messages(runtime)]
    assert got == [
        ("OrderReadyForPickup", collected_key),
        ("RefundCreated", collected_key),
        ("OrderFulfilled", shipped_key),
    ]
