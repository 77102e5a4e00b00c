"""Outbound webhooks end to end: staff register a webhook through the API, committed
events reach a real HTTP receiver on 127.0.0.1, signed, in commit order, at least once,
retried after failures and across a restart. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.catalog import services as catalog
from core.clock import FrozenClock
from core.config import Settings
from core.db.reads import Reads
from core.event_hooks.cursors import LEASE_SECONDS
from core.money import Money
from core.plugin_host import PluginHost
from core.runtime import Runtime
from core.staff.model import Scope
from schema.app import create_app
from tests.factories import GraphQLClient, bearer, count_stock, create, make_shop, staff_token
from tests.factories.webhooks import Receiver, receiving, webhook_dispatcher

CREATE = """
mutation ($url: String!, $events: [EventType!]!, $channel: String) {
  webhookCreate(url: $url, events: $events, channel: $channel) {
    webhook { id url events status channelId }
    secret
    errors { field code message }
  }
}
"""
UPDATE = """
mutation ($id: ID!, $active: Boolean) {
  webhookUpdate(id: $id, active: $active) { webhook { id status } errors { code } }
}
"""
DELIVERIES = """
query ($id: ID!) {
  webhookDeliveries(webhookId: $id, first: 10) {
    nodes { eventId eventType attempts statusCode error deliveredAt nextRetryAt }
  }
}
"""
PAGE = """
query ($id: ID!, $first: Int, $after: String) {
  webhookDeliveries(webhookId: $id, first: $first, after: $after) {
    edges { cursor node { statusCode } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
WEBHOOKS = "{ webhooks { id status } }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        default_channel="web",
        channel_cache_seconds=0,
        webhook_max_failures=3,
        webhook_retry_seconds=1.0,
        webhook_timeout_seconds=30.0,
    )


@pytest.fixture
def another_process(
    settings: Settings, engine: AsyncEngine, reads: Reads, clock: FrozenClock
) -> Runtime:
    """A second server process on the same database (a restart, or a second worker)."""
    return Runtime.build(
        settings, engine=engine, reads=reads, clock=clock, plugins=PluginHost.load()
    )


@pytest.fixture
async def staff(runtime: Runtime, gql: GraphQLClient) -> GraphQLClient:
    return gql.with_headers(**bearer(await staff_token(runtime, Scope.WEBHOOKS_MANAGE)))


async def register(
    staff: GraphQLClient, url: str, events: list[str], channel: str | None = None
) -> tuple[str, str]:
    """A new webhook's id and secret."""
    body = await staff(CREATE, {"url": url, "events": events, "channel": channel})
    payload: dict[str, Any] = body["data"]["webhookCreate"]
    assert payload["errors"] == [], payload
    return payload["webhook"]["id"], payload["secret"]


async def deliveries(staff: GraphQLClient, webhook_id: str) -> list[dict[str, Any]]:
    body = await staff(DELIVERIES, {"id": webhook_id})
    nodes: list[dict[str, Any]] = body["data"]["webhookDeliveries"]["nodes"]
    return nodes


async def status(staff: GraphQLClient) -> str:
    body = await staff(WEBHOOKS)
    value: str = body["data"]["webhooks"][0]["status"]
    return value


async def test_a_receiver_gets_each_subscribed_event_once_signed_in_commit_order(
    runtime: Runtime, staff: GraphQLClient, gql: GraphQLClient
) -> None:
    shop = await make_shop(runtime)  # its price was set before the webhook: not sent
    async with receiving() as receiver, webhook_dispatcher(runtime) as dispatcher:
        webhook_id, secret = await register(staff, receiver.url, ["StockChanged", "PriceChanged"])

        await count_stock(runtime, shop, 4)
        await catalog.set_variant_price(
            runtime.uow(),
            variant_id=shop.variant_id,
            channel_id=shop.channel.id,
            price=Money.parse("12.50", "USD"),
        )
        await create(gql, shop)  # CartChanged: not subscribed
        await catalog.remove_variant_price(
            runtime.uow(), variant_id=shop.variant_id, channel_id=shop.channel.id
        )
        await dispatcher.deliver()
        await dispatcher.deliver()  # nothing twice

    assert receiver.types() == ["StockChanged", "PriceChanged", "PriceChanged"]
    assert all(request.signed_by(secret) for request in receiver.received)
    assert {request.headers["omnicart-webhook-id"] for request in receiver.received} == {webhook_id}
    bodies = [request.json() for request in receiver.received]
    assert [body["id"] for body in bodies] == sorted({body["id"] for body in bodies})
    assert bodies[0]["subjectIds"] == [shop.variant_id]
    assert bodies[1]["topic"] == "price"
    assert bodies[1]["payload"] == {
        "variant_id": shop.variant_id,
        "sku": bodies[1]["payload"]["sku"],
        "channel_id": shop.channel.id,
        "price": {"amount": "12.50", "currency": "USD"},
    }
    assert bodies[2]["payload"]["price"] is None
    assert not receiver.received[0].signed_by("another secret")


async def test_an_event_answered_500_comes_again_and_the_log_shows_both_attempts(
    runtime: Runtime, staff: GraphQLClient, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime)
    async with receiving(answers=[500]) as receiver, webhook_dispatcher(runtime) as dispatcher:
        webhook_id, _ = await register(staff, receiver.url, ["StockChanged"])
        await count_stock(runtime, shop, 4)

        await dispatcher.deliver()
        failed = await deliveries(staff, webhook_id)
        await dispatcher.deliver()  # the retry is not due yet
        clock.advance(timedelta(seconds=1))
        await dispatcher.deliver()

    assert len(receiver.received) == 2
    first, again = (request.json() for request in receiver.received)
    assert first == again
    assert failed[0]["statusCode"] == 500
    assert failed[0]["nextRetryAt"] is not None and failed[0]["deliveredAt"] is None
    log = await deliveries(staff, webhook_id)
    assert [(entry["attempts"], entry["statusCode"]) for entry in log] == [(2, 200), (1, 500)]
    assert log[0]["deliveredAt"] is not None and log[0]["nextRetryAt"] is None
    assert log[1]["error"] == "answered HTTP 500"
    assert {entry["eventId"] for entry in log} == {str(first["id"])}


async def test_after_the_failures_in_a_row_the_webhook_is_failing_until_reactivated(
    runtime: Runtime, staff: GraphQLClient, clock: FrozenClock
) -> None:
    shop = await make_shop(runtime)
    async with (
        receiving(answers=[503, 500, 502]) as receiver,
        webhook_dispatcher(runtime) as dispatcher,
    ):
        webhook_id, _ = await register(staff, receiver.url, ["StockChanged"])
        await count_stock(runtime, shop, 4)
        for _ in range(3):
            await dispatcher.deliver()
            clock.advance(timedelta(hours=1))
        failing = await status(staff)
        await dispatcher.deliver()  # a failing webhook is not attempted
        attempts_while_failing = len(receiver.received)

        body = await staff(UPDATE, {"id": webhook_id, "active": True})
        await dispatcher.deliver()

    assert failing == "FAILING"
    assert attempts_while_failing == 3
    assert body["data"]["webhookUpdate"]["webhook"]["status"] == "ACTIVE"
    assert len(receiver.received) == 4
    assert len({request.json()["id"] for request in receiver.received}) == 1
    log = await deliveries(staff, webhook_id)
    assert [entry["statusCode"] for entry in log] == [200, 502, 500, 503]
    assert log[1]["nextRetryAt"] is None  # the third failure made it failing
    pages = [await staff(PAGE, {"id": webhook_id, "first": 3, "after": None})]
    end = pages[0]["data"]["webhookDeliveries"]["pageInfo"]["endCursor"]
    pages.append(await staff(PAGE, {"id": webhook_id, "first": 3, "after": end}))
    assert [
        [edge["node"]["statusCode"] for edge in page["data"]["webhookDeliveries"]["edges"]]
        for page in pages
    ] == [[200, 502, 500], [503]]
    assert [page["data"]["webhookDeliveries"]["pageInfo"]["hasNextPage"] for page in pages] == [
        True,
        False,
    ]


class HangingReceiver(Receiver):
    """Stops answering after ``answered`` requests, as if the server died mid-delivery."""

    def __init__(self, answered: int) -> None:
        super().__init__()
        self.answered = answered
        self.release = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self.received) >= self.answered:
            await self.release.wait()
        await super().handle(reader, writer)


async def test_nothing_is_lost_across_a_restart(
    runtime: Runtime, another_process: Runtime, clock: FrozenClock, staff: GraphQLClient
) -> None:
    shop = await make_shop(runtime)
    receiver = HangingReceiver(answered=2)
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    async with server:
        await register(staff, receiver.url, ["StockChanged"])
        for quantity in range(1, 6):
            await count_stock(runtime, shop, quantity)
        async with webhook_dispatcher(runtime) as first_process:
            running = asyncio.create_task(first_process.run(interval_seconds=3600))
            while len(receiver.received) < 2:
                await asyncio.wait_for(receiver.arrived.wait(), 10)
                receiver.arrived.clear()
            running.cancel()  # the process stops while the third event is in flight
            with pytest.raises(asyncio.CancelledError):
                await running
        receiver.release.set()
        receiver.answered = 10**6
        before_restart = [request.json()["payload"] for request in receiver.received]

        clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
        async with webhook_dispatcher(another_process) as second_process:
            await second_process.deliver()

    after_restart = [request.json() for request in receiver.received[len(before_restart) :]]
    assert len(before_restart) == 2
    ids = [body["id"] for body in after_restart]
    assert ids == sorted(ids) and len(ids) == 5  # at least once: all five again, in order
    first_seen = list(dict.fromkeys(request.json()["id"] for request in receiver.received))
    assert first_seen == ids


async def test_only_subscribed_events_of_the_webhooks_channel_arrive(
    runtime: Runtime, staff: GraphQLClient, gql: GraphQLClient
) -> None:
    web = await make_shop(runtime)
    app = await make_shop(runtime, slug="app")
    async with (
        receiving() as web_receiver,
        receiving() as stock_receiver,
        webhook_dispatcher(runtime) as dispatcher,
    ):
        await register(
            staff, web_receiver.url, ["CartChanged", "PriceChanged", "StockChanged"], "web"
        )
        await register(staff, stock_receiver.url, ["StockChanged"])

        web_cart = await create(gql, web)
        await create(gql, app)
        await catalog.set_variant_price(
            runtime.uow(),
            variant_id=app.variant_id,
            channel_id=app.channel.id,
            price=Money.parse("3.00", "USD"),
        )
        await count_stock(runtime, app, 2)
        await dispatcher.deliver()

    assert web_receiver.types() == ["CartChanged"]
    assert web_receiver.received[0].json()["payload"]["version"] == web_cart["version"]
    assert stock_receiver.types() == ["StockChanged"]


async def test_a_deleted_webhook_gets_nothing_more(runtime: Runtime, staff: GraphQLClient) -> None:
    shop = await make_shop(runtime)
    async with receiving() as receiver, webhook_dispatcher(runtime) as dispatcher:
        webhook_id, _ = await register(staff, receiver.url, ["StockChanged"])
        body = await staff(
            "mutation ($id: ID!) { webhookDelete(id: $id) { deletedId errors { code } } }",
            {"id": webhook_id},
        )

        await count_stock(runtime, shop, 1)
        await dispatcher.deliver()

    assert body["data"]["webhookDelete"] == {"deletedId": webhook_id, "errors": []}
    assert receiver.received == []
    assert (await staff(WEBHOOKS))["data"]["webhooks"] == []


async def test_the_server_delivers_in_the_background_woken_by_a_commit(
    settings: Settings, runtime: Runtime, staff: GraphQLClient
) -> None:
    shop = await make_shop(runtime)
    serving = replace(settings, event_hooks_interval_seconds=3600, sweep_interval_seconds=0)
    app = create_app(serving, runtime=runtime)
    async with receiving() as receiver, app.router.lifespan_context(app):
        _, secret = await register(staff, receiver.url, ["StockChanged"])

        await count_stock(runtime, shop, 7)
        await asyncio.wait_for(receiver.arrived.wait(), 10)

    assert receiver.types() == ["StockChanged"]
    assert receiver.received[0].signed_by(secret)


async def test_a_slow_receiver_keeps_its_delivery_to_one_process(
    runtime: Runtime, another_process: Runtime, clock: FrozenClock, staff: GraphQLClient
) -> None:
    shop = await make_shop(runtime)
    others_deliveries: list[int] = []
    async with (
        receiving() as receiver,
        webhook_dispatcher(runtime) as dispatcher,
        webhook_dispatcher(another_process) as other_dispatcher,
    ):

        async def slowly() -> None:  # each answer takes most of a lease
            clock.advance(timedelta(seconds=LEASE_SECONDS * 2 / 3))
            others_deliveries.append(await other_dispatcher.deliver())

        receiver.before_answer = slowly
        await register(staff, receiver.url, ["StockChanged"])
        for quantity in (1, 2, 3):
            await count_stock(runtime, shop, quantity)

        await dispatcher.deliver()

    ids = [request.json()["id"] for request in receiver.received[: len(others_deliveries)]]
    assert others_deliveries == [0, 0, 0]  # the lease was renewed while delivering
    assert len(ids) == 3 and ids == sorted(set(ids))
