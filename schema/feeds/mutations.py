"""Feed keys (staff, ``channels:write``): the key in a channel's feed URLs."""

from __future__ import annotations

import strawberry

from core.errors import DomainError
from core.feeds.keys import rotate_feed_key
from schema.context import Context
from schema.errors import UserError, user_errors
from schema.permissions import CanWriteChannels

Info = strawberry.Info[Context, None]


@strawberry.type
class ChannelFeedKeyRotatePayload:
    key: str | None = strawberry.field(
        default=None,
        description="The new feed key, shown only now: add ?key=<key> to the channel's "
        "feed URLs. The previous key stops working.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FeedsMutation:
    @strawberry.mutation(
        permission_classes=[CanWriteChannels],
        description="Make a new feed key for the channel (its slug); the old one stops "
        "working. Needs channels:write. Errors: NOT_FOUND.",
    )
    async def channel_feed_key_rotate(
        self, info: Info, channel: str
    ) -> ChannelFeedKeyRotatePayload:
        try:
            key = await rotate_feed_key(info.context.runtime.uow(), channel_slug=channel)
        except DomainError as error:
            return ChannelFeedKeyRotatePayload(errors=user_errors(error, prefix=None))
        return ChannelFeedKeyRotatePayload(key=key)
