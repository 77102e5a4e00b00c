from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from core.channels import queries
from core.plugin_host import PluginHost
from core.runtime import Runtime
from core.staff.model import Scope
from core.staff.services import create_token, revoke_token
from schema.relay import to_global_id
from tests.factories import (
    GraphQLClient,
    bearer,
    make_channel,
    make_location,
    make_product,
    row_counts,
    staff_token,
)

CHANNEL_CREATE = """
mutation ($input: ChannelCreateInput!) {
  channelCreate(input: $input) {
    channel { id slug name kind currency plugins { name } }
    errors { field code message }
  }
}
"""

CHANNEL_UPDATE = """
mutation ($id: ID!, $input: ChannelUpdateInput!) {
  channelUpdate(id: $id, input: $input) {
    channel { slug name kind currency plugins { name } }
    errors { field code message }
  }
}
"""

LOCATION_CREATE = """
mutation ($input: LocationCreateInput!) {
  locationCreate(input: $input) {
    location {
      id slug name kind pickupEnabled shipFromStoreEnabled
      address { line1 city countryCode }
      coordinates { latitude longitude }
    }
    errors { field code message }
  }
}
"""

LOCATION_UPDATE = """
mutation ($id: ID!, $input: LocationUpdateInput!) {
  locationUpdate(id: $id, input: $input) {
    location { slug name coordinates { latitude longitude } pickupEnabled }
    errors { field code message }
  }
}
"""


@dataclass(frozen=True)
class LoyaltySettings:
    points_per_unit: int


class LoyaltyPlugin:
    """A real plugin with validated settings and no hooks."""

    settings_class = LoyaltySettings


@pytest.fixture
def plugins() -> PluginHost:
    return PluginHost.load(extra={"loyalty": LoyaltyPlugin()})


@pytest.fixture
async def staff(gql: GraphQLClient, runtime: Runtime) -> GraphQLClient:
    return gql.with_headers(**bearer(await staff_token(runtime, Scope.CHANNELS_WRITE)))


def error_pairs(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


def channel_input(**overrides: Any) -> dict[str, Any]:
    return {"slug": "eu-web", "name": "EU web", "kind": "WEB", "currency": "EUR", **overrides}


async def test_staff_create_a_channel_with_plugins_and_locations(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    north = await make_location(runtime, slug="north")

    body = await staff(
        CHANNEL_CREATE,
        {
            "input": channel_input(
                plugins=[{"name": "loyalty", "settings": {"points_per_unit": 2}}, {"name": "web"}],
                locations=[{"locationId": to_global_id("Location", north.id), "priority": 1}],
            )
        },
    )

    payload = body["data"]["channelCreate"]
    assert payload["errors"] == []
    assert payload["channel"]["slug"] == "eu-web"
    assert payload["channel"]["kind"] == "WEB"
    assert payload["channel"]["plugins"] == [{"name": "loyalty"}, {"name": "web"}]
    async with runtime.engine.connect() as connection:
        channel = await queries.channel_by_slug(connection, "eu-web")
        assert channel is not None
        links = await queries.channel_locations_by_channel_id(connection, [channel.id])
    assert [(link.location_id, link.priority) for link in links[channel.id]] == [(north.id, 1)]


async def test_a_request_without_a_token_is_refused_and_writes_nothing(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    before = await row_counts(runtime)

    body = await gql(CHANNEL_CREATE, {"input": channel_input()})

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]
    assert await row_counts(runtime) == before


async def test_a_token_without_the_channels_scope_is_forbidden(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    token = await staff_token(runtime, Scope.CATALOG_WRITE)
    before = await row_counts(runtime)

    body = await gql(CHANNEL_CREATE, {"input": channel_input()}, headers=bearer(token))

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert await row_counts(runtime) == before


async def test_a_revoked_token_is_refused(gql: GraphQLClient, runtime: Runtime) -> None:
    issued = await create_token(runtime.uow(), name="ex-staff", scopes=["channels:write"])
    await revoke_token(runtime.uow(), prefix=issued.record.prefix)
    before = await row_counts(runtime)

    body = await gql(CHANNEL_CREATE, {"input": channel_input()}, headers=bearer(issued.token))

    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]
    assert await row_counts(runtime) == before


async def test_every_input_problem_comes_back_as_a_user_error(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    await make_channel(runtime, slug="eu-web")
    before = await row_counts(runtime)

    body = await staff(
        CHANNEL_CREATE,
        {
            "input": channel_input(
                name="",
                currency="EURO",
                plugins=[
                    {"name": "nonexistent"},
                    {"name": "loyalty", "settings": {"points_per_unit": "lots"}},
                ],
            )
        },
    )

    payload = body["data"]["channelCreate"]
    assert payload["channel"] is None
    assert sorted(error_pairs(payload), key=str) == sorted(
        [
            (["input", "slug"], "DUPLICATE_SLUG"),
            (["input", "name"], "REQUIRED"),
            (["input", "currency"], "INVALID_CURRENCY"),
            (["input", "plugins", "0", "name"], "UNKNOWN_PLUGIN"),
            (["input", "plugins", "1", "settings", "pointsPerUnit"], "INVALID_PLUGIN_SETTINGS"),
        ],
        key=str,
    )
    assert all(error["message"] for error in payload["errors"])
    assert await row_counts(runtime) == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"slug": "EU Web"}, [(["input", "slug"], "INVALID_SLUG")]),
        (
            {"plugins": [{"name": "loyalty", "settings": [1, 2]}]},
            [(["input", "plugins", "0", "settings"], "INVALID_PLUGIN_SETTINGS")],
        ),
        (
            {"locations": [{"locationId": "not-an-id"}]},
            [(["input", "locations", "0", "locationId"], "INVALID_ID")],
        ),
        (
            {"locations": [{"locationId": to_global_id("Location", 424242)}]},
            [(["input", "locations", "0", "locationId"], "NOT_FOUND")],
        ),
        (
            {"locations": [{"locationId": to_global_id("Channel", 1)}]},
            [(["input", "locations", "0", "locationId"], "INVALID_ID")],
        ),
    ],
)
async def test_a_refused_channel_reports_the_field_at_fault(
    staff: GraphQLClient,
    runtime: Runtime,
    overrides: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    before = await row_counts(runtime)

    body = await staff(CHANNEL_CREATE, {"input": channel_input(**overrides)})

    assert error_pairs(body["data"]["channelCreate"]) == expected
    assert await row_counts(runtime) == before


async def test_updating_a_channel_changes_only_the_given_fields(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    channel = await make_channel(runtime, slug="app", currency="USD")

    body = await staff(
        CHANNEL_UPDATE,
        {
            "id": to_global_id("Channel", channel.id),
            "input": {"name": "Mobile app", "kind": "MOBILE", "plugins": [{"name": "mobile"}]},
        },
    )

    assert body["data"]["channelUpdate"] == {
        "channel": {
            "slug": "app",
            "name": "Mobile app",
            "kind": "MOBILE",
            "currency": "USD",
            "plugins": [{"name": "mobile"}],
        },
        "errors": [],
    }


async def test_a_channel_with_prices_keeps_its_currency(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    channel = await make_channel(runtime, currency="USD")
    await make_product(runtime, channel=channel)

    body = await staff(
        CHANNEL_UPDATE, {"id": to_global_id("Channel", channel.id), "input": {"currency": "EUR"}}
    )

    assert error_pairs(body["data"]["channelUpdate"]) == [
        (["input", "currency"], "CURRENCY_IN_USE")
    ]


@pytest.mark.parametrize(
    ("global_id", "code"),
    [(to_global_id("Channel", 999), "NOT_FOUND"), ("garbage", "INVALID_ID")],
)
async def test_updating_a_channel_that_is_not_there_points_at_the_id(
    staff: GraphQLClient, global_id: str, code: str
) -> None:
    body = await staff(CHANNEL_UPDATE, {"id": global_id, "input": {"name": "X"}})

    assert error_pairs(body["data"]["channelUpdate"]) == [(["id"], code)]


async def test_staff_create_and_move_a_store(staff: GraphQLClient) -> None:
    created = await staff(
        LOCATION_CREATE,
        {
            "input": {
                "slug": "berlin-store",
                "name": "Berlin store",
                "kind": "STORE",
                "address": {"line1": "Hauptstr. 1", "city": "Berlin", "countryCode": "DE"},
                "latitude": 52.52,
                "longitude": 13.405,
                "pickupEnabled": True,
            }
        },
    )
    location = created["data"]["locationCreate"]["location"]

    body = await staff(
        LOCATION_UPDATE,
        {"id": location["id"], "input": {"latitude": 48.137, "longitude": 11.575}},
    )

    assert location["address"] == {"line1": "Hauptstr. 1", "city": "Berlin", "countryCode": "DE"}
    assert (location["kind"], location["pickupEnabled"]) == ("STORE", True)
    assert body["data"]["locationUpdate"] == {
        "location": {
            "slug": "berlin-store",
            "name": "Berlin store",
            "coordinates": {"latitude": 48.137, "longitude": 11.575},
            "pickupEnabled": True,
        },
        "errors": [],
    }


async def test_a_location_with_half_its_coordinates_is_refused(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    before = await row_counts(runtime)

    body = await staff(
        LOCATION_CREATE,
        {"input": {"slug": "depot", "name": "Depot", "kind": "WAREHOUSE", "latitude": 10.0}},
    )

    assert error_pairs(body["data"]["locationCreate"]) == [
        (["input", "longitude"], "INVALID_COORDINATES")
    ]
    assert await row_counts(runtime) == before


async def test_clearing_one_coordinate_is_refused_but_clearing_both_works(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    location = await make_location(runtime, latitude=1.0, longitude=2.0)
    location_id = to_global_id("Location", location.id)

    half = await staff(LOCATION_UPDATE, {"id": location_id, "input": {"longitude": None}})
    both = await staff(
        LOCATION_UPDATE, {"id": location_id, "input": {"latitude": None, "longitude": None}}
    )

    assert error_pairs(half["data"]["locationUpdate"]) == [
        (["input", "longitude"], "INVALID_COORDINATES")
    ]
    assert both["data"]["locationUpdate"]["location"]["coordinates"] is None


async def test_location_mutations_need_the_channels_scope(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    token = await staff_token(runtime, Scope.CATALOG_WRITE)

    body = await gql(
        LOCATION_CREATE,
        {"input": {"slug": "depot", "name": "Depot", "kind": "WAREHOUSE"}},
        headers=bearer(token),
    )

    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert (await row_counts(runtime))["locations"] == 0


POLICY = """
mutation ($id: ID!, $input: ChannelUpdateInput!) {
  channelUpdate(id: $id, input: $input) {
    channel {
      stockDisplay lowStockThreshold reservationTtlSeconds cartTtlSeconds cartMergePolicy
    }
    errors { field code }
  }
}
"""


async def test_staff_set_a_channels_stock_display_and_cart_policy(
    staff: GraphQLClient, runtime: Runtime
) -> None:
    channel = await make_channel(runtime, slug="app")
    gid = to_global_id("Channel", channel.id)

    body = await staff(
        POLICY,
        {
            "id": gid,
            "input": {
                "stockDisplay": "STATUS",
                "lowStockThreshold": 3,
                "reservationTtlSeconds": 600,
                "cartTtlSeconds": 7200,
                "cartMergePolicy": "KEEP_GUEST",
            },
        },
    )
    assert body["data"]["channelUpdate"] == {
        "channel": {
            "stockDisplay": "STATUS",
            "lowStockThreshold": 3,
            "reservationTtlSeconds": 600,
            "cartTtlSeconds": 7200,
            "cartMergePolicy": "KEEP_GUEST",
        },
        "errors": [],
    }

    refused = await staff(
        POLICY, {"id": gid, "input": {"reservationTtlSeconds": 5, "cartTtlSeconds": 10}}
    )
    assert refused["data"]["channelUpdate"] == {
        "channel": None,
        "errors": [
            {"field": ["input", "reservationTtlSeconds"], "code": "INVALID"},
            {"field": ["input", "cartTtlSeconds"], "code": "INVALID"},
        ],
    }
