"""Customers, their login sessions and the failed-login counters that throttle guessing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId, UTCDateTime
from core.validation import EMAIL_MAX_LENGTH


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Stored in lower case (core.validation.normalise_email), so the unique constraint
    # makes addresses unique whatever case they were typed in.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # An argon2id PHC string (core.customers.passwords); the parameters travel with it.
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerSessionRow(Base):
    __tablename__ = "customer_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 hex of the session token (256 random bits), never the token itself.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Refreshed at most once a minute (core.customers.services.authenticate).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginAttemptsRow(Base):
    """Password attempts per email address in the current window (core.customers.throttle).

    Keyed by the normalised address whether or not an account has it, so the lockout
    behaves the same for unknown addresses and reveals nothing.
    """

    __tablename__ = "customer_login_attempts"

    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
