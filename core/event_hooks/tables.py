"""Where event delivery to plugins keeps its place: one cursor per plugin, and the dead events.

A cursor row says which outbox rows its plugin has been given (``core.event_hooks.cursors``)
and who is delivering to it now (a lease, so that one process at a time does). A dead
event is one the plugin kept failing on and was passed over; it is kept for operators.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId, UTCDateTime


class EventCursorRow(Base):
    __tablename__ = "event_cursors"

    # The plugin's name (PluginHost.installed).
    plugin: Mapped[str] = mapped_column(String(128), primary_key=True)
    # PostgreSQL: pg_current_snapshot() text; every row it sees was delivered. NULL on SQLite.
    snapshot: Mapped[str | None] = mapped_column(Text, nullable=True)
    # PostgreSQL: the snapshot of the pass in progress (rows it sees and ``snapshot``
    # does not are being delivered, in id order). NULL between passes and on SQLite.
    target: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The last id delivered: of the pass in progress (PostgreSQL), of all rows (SQLite).
    through_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # Failed deliveries of the next event, and when to try it again.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The process delivering now, until when (renewed as it goes).
    lease_holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeadEventRow(Base):
    __tablename__ = "dead_events"
    __table_args__ = (Index("ix_dead_events_plugin", "plugin"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plugin: Mapped[str] = mapped_column(String(128))
    # The outbox row's id (the row itself is pruned in time; what it said is copied here).
    event_id: Mapped[int] = mapped_column(BigInteger)
    topic: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer)
    # The last failure, as ``repr`` of the plugin's exception.
    error: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
