"""The outbox: every published domain event, written in the transaction that caused it.

Rows are append-only and pruned after ``OMNICART_OUTBOX_RETENTION_SECONDS`` by the
sweeper. ``transaction_id`` is the writing transaction's ``pg_current_xact_id()`` on
PostgreSQL (NULL on SQLite): listeners use it to replay, in commit order terms, what
they missed (``core.events.replay``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId, UTCDateTime


class OutboxEventRow(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        # Pruning deletes by age.
        Index("ix_outbox_events_created_at", "created_at"),
        # Replay reads the transactions a listener's snapshot had not seen committed.
        Index("ix_outbox_events_transaction_id", "transaction_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(64))
    # PublishedEvent.event_type(): the class name, for the plugin event hook.
    event_type: Mapped[str] = mapped_column(String(64), server_default="")
    # The ids subscribers filter by (PublishedEvent.subject_ids).
    subject_ids: Mapped[list[int]] = mapped_column(JSON)
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
