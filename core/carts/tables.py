"""Cart tables: carts, their lines and the idempotency record of cart requests.

``carts.version`` grows by one with every change a request makes, so a client can
send the version it last saw (``expectedVersion``) and be refused when another device
got there first. ``cart_lines`` holds one line per variant (a unique pair), so adding
a variant already in the cart increments its line. A cart's stock is held by
reservations owned by the cart (``core.inventory``), not here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId, UTCDateTime


class CartRow(Base):
    __tablename__ = "carts"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'merged', 'completed')", name="status"),
        CheckConstraint("version >= 0", name="version_not_negative"),
        # me.activeCart(channel): a customer's most recently changed active cart.
        Index("ix_carts_customer_channel", "customer_id", "channel_id", "status", "updated_at"),
        # The sweeper's scan.
        Index("ix_carts_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # SHA-256 of the token (core.carts.tokens); the token itself is never stored.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), nullable=True
    )
    email: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("carts.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = mapped_column(BigInteger, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The expiry the cart's reservations were last pushed to: pushing them again is
    # skipped while this is less than a minute behind (one statement fewer per change).
    holds_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The token sealed with the instance key (core.keys), so the customer owning the
    # cart can be handed it on another device; see core.carts.tokens.seal.
    sealed_token: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Where the order goes and who is invoiced (issue 13): a validated
    # core.carts.addresses.MailingAddress as JSON (``to_json``), or null when not given.
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The shopper's delivery choice, {delivery group id: option handle} (issue 13);
    # NULL when nothing was chosen. See core.delivery.groups.
    delivery_selection: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The buyer's attributes (issue 15), {key: value} in the order given; NULL for none.
    # See core.carts.attributes.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CartLineRow(Base):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_lines_cart_variant"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(BigInteger)
    # The channel's base unit price when the line was last added to or changed, so a
    # later price change shows as a cart problem (PRICE_CHANGED).
    unit_price_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CartRequestRow(Base):
    """A cart mutation sent with an idempotency key: its first outcome, kept for retries.

    ``key_digest`` is SHA-256 over the scope (the cart, or ``create``) and the client's
    key, so keys never collide across carts and are not stored in clear. A retried
    ``cartCreate`` must answer with the cart's token, which is stored nowhere else:
    ``sealed_token`` is the token XORed with a pad derived from the key, so only a
    client holding the key can recover it.
    """

    __tablename__ = "cart_requests"
    __table_args__ = (Index("ix_cart_requests_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    operation: Mapped[str] = mapped_column(String(32))
    # SHA-256 of the request's arguments: the same key with other arguments is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    cart_version: Mapped[int] = mapped_column(BigInteger)
    sealed_token: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
