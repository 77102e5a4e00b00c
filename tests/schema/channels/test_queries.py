"""Channel and location queries."""

from __future__ import annotations

from core.channels.model import LocationKind
from core.runtime import Runtime
from tests.factories import GraphQLClient, StatementCounter, make_channel, make_location


async def test_channels_list_their_supplying_locations_in_priority_order(
    runtime: Runtime, gql: GraphQLClient, count_statements: StatementCounter
) -> None:
    warehouse = await make_location(runtime, slug="warehouse", kind=LocationKind.WAREHOUSE)
    store = await make_location(runtime, slug="store", kind=LocationKind.STORE)
    await make_channel(runtime, slug="web", locations=[warehouse, store])
    await make_channel(runtime, slug="shop", locations=[store])
    await make_channel(runtime, slug="empty")

    count_statements.reset()
    body = await gql("{ channels { slug locations { priority location { slug kind } } } }")

    supply = {c["slug"]: c["locations"] for c in body["data"]["channels"]}
    assert [(s["location"]["slug"], s["priority"]) for s in supply["web"]] == [
        ("warehouse", 0),
        ("store", 1),
    ]
    assert [s["location"]["kind"] for s in supply["shop"]] == ["STORE"]
    assert supply["empty"] == []
    # channels, then one batch for every channel's supply (links + locations)
    assert count_statements.count == 3


async def test_locations_can_be_filtered_by_kind(runtime: Runtime, gql: GraphQLClient) -> None:
    await make_location(runtime, slug="warehouse", kind=LocationKind.WAREHOUSE)
    await make_location(
        runtime, slug="store", kind=LocationKind.STORE, latitude=52.23, longitude=21.01
    )

    body = await gql("{ locations(kind: STORE) { slug coordinates { latitude longitude } } }")

    assert body["data"]["locations"] == [
        {"slug": "store", "coordinates": {"latitude": 52.23, "longitude": 21.01}}
    ]
