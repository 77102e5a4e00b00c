"""``GET /feeds/{channel}/{name}``: a channel's product feeds over plain HTTP.

Access: a staff token with ``feeds:read`` (``Authorization: Bearer``, as the API), or
the channel's feed key in the URL (``?key=``, ``core.feeds.keys``). No credentials or
a wrong key is 401, a token without the scope 403; an unknown feed or channel is 404.

The ETag and Last-Modified are read before the body (``core.feeds.freshness``), so a
reader that sends them back (``If-None-Match``, ``If-Modified-Since``) gets a 304
without the feed being built. The body streams a page of the catalog at a time.
"""

from __future__ import annotations

import logging
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from core.channels.model import Channel
from core.feeds.fields import FeedRequest
from core.feeds.formats import FEEDS
from core.feeds.freshness import FeedVersion, feed_version
from core.feeds.keys import is_feed_key
from core.runtime import Runtime
from core.staff import queries as staff_queries
from core.staff.model import Scope

logger = logging.getLogger(__name__)


class _Refused(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.response = PlainTextResponse(message, status_code=status_code)


def feed_routes(runtime: Runtime) -> list[Route]:
    async def feed(request: Request) -> Response:
        try:
            return await _answer(runtime, request)
        except _Refused as refused:
            return refused.response

    return [Route("/feeds/{channel}/{name}", feed, methods=["GET"])]


async def _answer(runtime: Runtime, request: Request) -> Response:
    chosen = FEEDS.get(request.path_params["name"])
    if chosen is None:
        raise _Refused(404, "No such feed")
    channel = await runtime.channels.by_slug(request.path_params["channel"])
    if channel is None:
        raise _Refused(404, "No such channel")
    await _check_access(runtime, request, channel)
    link_base = runtime.settings.storefront_url
    async with runtime.reads.connect() as connection:
        version = await feed_version(
            connection, channel=channel, feed_name=request.path_params["name"], link_base=link_base
        )
    headers = _validators(version)
    if _not_modified(request, version):
        return Response(status_code=304, headers=headers)
    feed_request = FeedRequest(
        reads=runtime.reads,
        plugins=runtime.plugins,
        channel=channel,
        now=runtime.clock.now(),
        link_base=link_base,
    )
    logger.info("feed served channel=%s feed=%s", channel.slug, request.path_params["name"])
    return StreamingResponse(
        chosen.render(feed_request), media_type=chosen.media_type, headers=headers
    )


async def _check_access(runtime: Runtime, request: Request, channel: Channel) -> None:
    key = request.query_params.get("key")
    async with runtime.reads.connect() as connection:
        if key is not None:
            if not await is_feed_key(connection, channel_id=channel.id, key=key):
                raise _Refused(401, "That feed key is not this channel's current key")
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        principal = (
            await staff_queries.principal_for_token(connection, token.strip())
            if scheme.lower() == "bearer" and token.strip()
            else None
        )
    if principal is None:
        raise _Refused(401, "A feed key (?key=) or a staff token with feeds:read is required")
    if not principal.has(Scope.FEEDS_READ):
        raise _Refused(403, "This token lacks the feeds:read scope")


def _validators(version: FeedVersion) -> dict[str, str]:
    headers = {"etag": version.etag, "cache-control": "no-cache"}
    if version.last_modified is not None:
        headers["last-modified"] = format_datetime(version.last_modified, usegmt=True)
    return headers


def _not_modified(request: Request, version: FeedVersion) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when sent; else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or version.etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None or version.last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    # The header has whole seconds; a change within the same second is not newer.
    return version.last_modified.replace(microsecond=0) <= since
