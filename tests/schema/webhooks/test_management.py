"""Managing webhooks through the API: scope checks, input errors and the event types."""

from __future__ import annotations

import inspect
import pkgutil
from importlib import import_module

import core
from core.events.model import PublishedEvent
from core.runtime import Runtime
from core.staff.model import Scope
from core.webhooks.event_types import EVENT_TYPES
from tests.factories import GraphQLClient, bearer, make_channel, staff_token

CREATE = """
mutation ($url: String!, $events: [EventType!]!, $channel: String) {
  webhookCreate(url: $url, events: $events, channel: $channel) {
    webhook { id status channelId events }
    secret
    errors { field code message }
  }
}
"""


async def test_webhooks_need_the_webhooks_manage_scope(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    catalog_staff = bearer(await staff_token(runtime, Scope.CATALOG_WRITE))
    variables = {"url": "https://example.com/hooks", "events": ["StockChanged"]}

    created = await gql(CREATE, variables, headers=catalog_staff)
    anonymous = await gql(CREATE, variables)
    listed = await gql("{ webhooks { id } }", headers=catalog_staff)
    log = await gql(
        '{ webhookDeliveries(webhookId: "V2ViaG9vazox") { nodes { attempts } } }',
        headers=catalog_staff,
    )

    assert created["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert log["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    manager = bearer(await staff_token(runtime, Scope.WEBHOOKS_MANAGE))
    assert (await gql("{ webhooks { id } }", headers=manager))["data"]["webhooks"] == []


async def test_a_webhook_url_must_be_http_or_https_and_the_channel_must_exist(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    manager = bearer(await staff_token(runtime, Scope.WEBHOOKS_MANAGE))

    ftp = await gql(
        CREATE, {"url": "ftp://example.com/x", "events": ["OrderPlaced"]}, headers=manager
    )
    hostless = await gql(CREATE, {"url": "https://", "events": ["OrderPlaced"]}, headers=manager)
    nothing = await gql(
        CREATE,
        {"url": "https://example.com", "events": [], "channel": "nowhere"},
        headers=manager,
    )

    for body in (ftp, hostless):
        payload = body["data"]["webhookCreate"]
        assert payload["webhook"] is None and payload["secret"] is None
        assert payload["errors"][0]["code"] == "INVALID_WEBHOOK_URL"
        assert payload["errors"][0]["field"] == ["url"]
    assert {error["code"] for error in nothing["data"]["webhookCreate"]["errors"]} == {
        "REQUIRED",
        "UNKNOWN_CHANNEL",
    }
    assert (await gql("{ webhooks { id } }", headers=manager))["data"]["webhooks"] == []


async def test_a_new_webhook_is_active_with_its_secret_shown_once(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    manager = bearer(await staff_token(runtime, Scope.WEBHOOKS_MANAGE))
    await make_channel(runtime, slug="web")

    body = await gql(
        CREATE,
        {
            "url": "https://example.com/h",
            "events": ["PriceChanged", "PriceChanged"],
            "channel": "web",
        },
        headers=manager,
    )

    payload = body["data"]["webhookCreate"]
    assert payload["errors"] == []
    assert payload["webhook"]["status"] == "ACTIVE"
    assert payload["webhook"]["events"] == ["PriceChanged"]
    assert payload["webhook"]["channelId"] is not None
    assert len(payload["secret"]) == 64
    listed = await gql("{ webhooks { id url } }", headers=manager)
    assert "secret" not in listed["data"]["webhooks"][0]


def test_every_published_event_class_is_an_event_type() -> None:
    for module in pkgutil.walk_packages(core.__path__, "core."):
        import_module(module.name)

    published: set[str] = set()
    pending: list[type[PublishedEvent]] = list(PublishedEvent.__subclasses__())
    while pending:
        event_class = pending.pop()
        pending.extend(event_class.__subclasses__())
        if event_class.__module__.startswith("core.") and not inspect.isabstract(event_class):
            published.add(event_class.event_type())

    assert published == set(EVENT_TYPES)
