"""Who may read a feed: staff with feeds:read, or whoever holds the channel's feed key."""

from __future__ import annotations

import httpx

from core.runtime import Runtime
from core.staff.model import Scope
from tests.factories import GraphQLClient, bearer, staff_token
from tests.schema.feeds.conftest import FeedShop, get_feed

ROTATE = """
mutation ($channel: String!) {
  channelFeedKeyRotate(channel: $channel) { key errors { field code } }
}
"""


async def _rotate(gql: GraphQLClient, token: str, channel: str = "web") -> dict[str, object]:
    body = await gql(ROTATE, {"channel": channel}, headers=bearer(token))
    payload: dict[str, object] = body["data"]["channelFeedKeyRotate"]
    return payload


async def test_a_feed_key_opens_its_channels_feeds_until_it_is_rotated(
    client: httpx.AsyncClient, gql: GraphQLClient, runtime: Runtime, feed_shop: FeedShop
) -> None:
    staff = await staff_token(runtime, Scope.CHANNELS_WRITE)
    old = (await _rotate(gql, staff))["key"]
    assert isinstance(old, str)
    opened = await client.get("/feeds/web/meta.csv", params={"key": old})

    new = (await _rotate(gql, staff))["key"]
    assert isinstance(new, str)
    with_old = await client.get("/feeds/web/meta.csv", params={"key": old})
    with_new = await client.get("/feeds/web/google.xml", params={"key": new})
    elsewhere = await client.get("/feeds/market/google.xml", params={"key": new})

    assert opened.status_code == 200
    assert new != old
    assert with_old.status_code == 401
    assert with_new.status_code == 200
    assert elsewhere.status_code == 401


async def test_rotating_the_key_of_an_unknown_channel_is_refused(
    gql: GraphQLClient, runtime: Runtime, feed_shop: FeedShop
) -> None:
    staff = await staff_token(runtime, Scope.CHANNELS_WRITE)

    payload = await _rotate(gql, staff, channel="nowhere")

    assert payload == {"key": None, "errors": [{"field": ["channel"], "code": "NOT_FOUND"}]}


async def test_rotating_a_key_needs_channels_write(gql: GraphQLClient, feed_shop: FeedShop) -> None:
    body = await gql(ROTATE, {"channel": "web"}, headers=bearer(feed_shop.token))

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_feed_without_credentials_is_401(
    client: httpx.AsyncClient, feed_shop: FeedShop
) -> None:
    bare = await client.get("/feeds/web/google.xml")
    unknown_token = await client.get(
        "/feeds/web/google.xml", headers=bearer("omst_aaaaaaaa_" + "a" * 43)
    )
    wrong_key = await client.get("/feeds/web/google.xml", params={"key": "omfk_nope"})

    assert [bare.status_code, unknown_token.status_code, wrong_key.status_code] == [401] * 3


async def test_a_token_without_feeds_read_is_403(
    client: httpx.AsyncClient, runtime: Runtime, feed_shop: FeedShop
) -> None:
    token = await staff_token(runtime, Scope.CATALOG_WRITE, name="cataloguer")

    response = await client.get("/feeds/web/google.xml", headers=bearer(token))

    assert response.status_code == 403


async def test_unknown_channels_and_feeds_are_404(
    client: httpx.AsyncClient, feed_shop: FeedShop
) -> None:
    channel = await get_feed(client, feed_shop, "/feeds/nowhere/google.xml")
    feed = await get_feed(client, feed_shop, "/feeds/web/amazon.xml")

    assert (channel.status_code, feed.status_code) == (404, 404)
