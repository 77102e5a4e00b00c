"""The feed key of each channel, stored as a SHA-256 digest (never in clear)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class ChannelFeedKeyRow(Base):
    """A channel's one feed key: rotating it replaces the row, so the old key stops."""

    __tablename__ = "channel_feed_keys"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    # SHA-256 hex of the key: keys carry 256 random bits, so a fast hash is enough.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
