"""Return and refund tables (issue 14): ``returns`` (+ ``return_lines``) and ``refunds``.

A return line counts what was received of it and what became of it; the CHECKs keep
``received = restocked + written_off <= quantity`` whatever a service attempts, and
``core.orders.return_steps`` grows the counters only under that guard. A refund is
written once, with the digest of the idempotency key it was made with (unique per
order) and the fingerprint of its arguments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId, UTCDateTime


class ReturnRow(Base):
    __tablename__ = "returns"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'partially_received', 'received')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # The channel the return was made in (a store's, say, for an order bought online).
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(24))
    # Where its units were last received (null until then).
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="RESTRICT"), nullable=True
    )
    # "customer:<id>", "guest", "staff:<name>", as in order_history.
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReturnLineRow(Base):
    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received <= quantity", name="received_within_quantity"),
        CheckConstraint("restocked >= 0 AND written_off >= 0", name="counts_not_negative"),
        CheckConstraint("received = restocked + written_off", name="received_accounted"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500), default="")
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    restocked: Mapped[int] = mapped_column(BigInteger, default=0)
    written_off: Mapped[int] = mapped_column(BigInteger, default=0)


class RefundRow(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        # One refund per key and order: a retry finds it.
        UniqueConstraint("order_id", "key_digest"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500), default="")
    # [{order_line_id, quantity}] when refunded by lines; [] for an amount.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # SHA-256 of the idempotency key, and of the arguments it was used with.
    key_digest: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
