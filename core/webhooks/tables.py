"""Webhook subscribers and their delivery log (one row per attempt).

Each webhook is a consumer of the outbox with its own cursor in ``event_cursors``
(keyed ``webhook:<id>``, ``core.webhooks.delivery``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId, UTCDateTime


class WebhookRow(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text)
    # The HMAC key, stored as issued (it must sign every delivery); shown once.
    secret: Mapped[str] = mapped_column(String(128))
    # Event class names (core.webhooks.event_types.EVENT_TYPES).
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # Only events of this channel's orders, carts and prices; NULL: every event.
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), nullable=True
    )
    # WebhookStatus: active, failing (too many failures in a row), disabled (by staff).
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    # The outbox row's id (also the body's "id"), and its type.
    event_id: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(64))
    # 1 for the first attempt at this event, 2 for the first retry, ...
    attempts: Mapped[int] = mapped_column(Integer)
    # The receiver's HTTP status; NULL when none came (timeout, connection refused).
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the receiver answered 2xx.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the next attempt is due; NULL when delivered or the webhook is now failing.
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
