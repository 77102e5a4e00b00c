"""Feed keys: one per channel, in the feed URL (``?key=``) for readers without a staff
token (a marketplace's or ad platform's fetcher).

A key is ``omfk_`` and 256 random bits; only its SHA-256 digest is stored, like staff
tokens (``core.staff.tokens``). Staff rotate it (``rotate_feed_key``): the new key is
shown once and the old one stops working in the same transaction.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from core.channels.tables import ChannelRow
from core.db import table_of
from core.db.reads import ReadConnection
from core.db.upsert import upsert
from core.errors import DomainError, ErrorCode
from core.feeds.tables import ChannelFeedKeyRow
from core.ids import ChannelId
from core.staff.tokens import digest
from core.uow import UnitOfWork

KEY_PREFIX = "omfk_"

_keys = table_of(ChannelFeedKeyRow)
_channels = table_of(ChannelRow)


async def rotate_feed_key(uow: UnitOfWork, *, channel_slug: str) -> str:
    """A new feed key for the channel, returned once; the previous key stops working.

    Raises ``DomainError``: ``NOT_FOUND`` (field ``channel``).
    """
    key = f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"
    async with uow:
        session = uow.session
        channel_id = (
            await session.execute(select(_channels.c.id).where(_channels.c.slug == channel_slug))
        ).scalar_one_or_none()
        if channel_id is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, "No channel has that slug", "channel")
        await upsert(
            session,
            _keys,
            {"channel_id": channel_id, "key_hash": digest(key), "created_at": uow.clock.now()},
            keys=("channel_id",),
        )
        await uow.commit()
    return key


async def is_feed_key(connection: ReadConnection, *, channel_id: ChannelId, key: str) -> bool:
    """Whether ``key`` is the channel's current feed key (looked up by digest)."""
    if not key.startswith(KEY_PREFIX):
        return False
    found = await connection.execute(
        select(_keys.c.channel_id).where(
            _keys.c.channel_id == channel_id, _keys.c.key_hash == digest(key)
        )
    )
    return found.first() is not None
