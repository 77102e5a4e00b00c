"""Order tables: orders, their lines, delivery groups, payments and status history.

An order is written once, by checkout (``core.orders.checkout``), from a cart it
names (``cart_id`` is unique: a cart becomes at most one order, whatever races). The
prices, names and addresses are snapshots: later catalog changes leave orders alone.
The stock an order will ship is held by reservations owned by the order (its
allocations, ``core.inventory``), not here. Status and payment status move through
``core.orders`` services only, and every move appends a row to ``order_history``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId, UTCDateTime

ORDER_STATUSES = (
    "placed",
    "confirmed",
    "cancelled",
    "partially_fulfilled",
    "ready_for_pickup",
    "fulfilled",
    "completed",
)
PAYMENT_STATUSES = (
    "PENDING",
    "AUTHORIZED",
    "CAPTURED",
    "VOIDED",
    "REFUNDED",
    "PARTIALLY_REFUNDED",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint(_one_of("payment_status", PAYMENT_STATUSES), name="payment_status"),
        # me.orders: a customer's orders, newest first; staff lists by channel and date.
        Index("ix_orders_customer_created", "customer_id", "created_at"),
        Index("ix_orders_channel_created", "channel_id", "created_at"),
        Index("ix_orders_created_at", "created_at"),
        # A marketplace's order is imported once per channel (issue 15); NULL for the
        # orders placed here, which never collide.
        UniqueConstraint("channel_id", "external_id", name="uq_orders_channel_external_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Shown to people ("OC-7KQ2-M9XD"): unique, random, never derived from the id.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 of the guest's order token (orderByToken); the token is never stored.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The token sealed with the instance key (core.carts.tokens.seal), so a retried
    # checkout can answer with it again.
    sealed_token: Mapped[str] = mapped_column(String(128))
    # SHA-256 of the checkout's idempotency key: a retry finds the order by it.
    checkout_key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The fingerprint of the checkout's arguments (a key reused with others is refused).
    checkout_fingerprint: Mapped[str] = mapped_column(String(64))
    # The cart it came from; unique, so a cart becomes one order at most. The sweeper
    # deletes old completed carts, and the order keeps its snapshot.
    cart_id: Mapped[int | None] = mapped_column(
        ForeignKey("carts.id", ondelete="SET NULL"), unique=True, nullable=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="RESTRICT"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True
    )
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(24))
    payment_status: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    delivery_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    # Cart-wide adjustments as priced at checkout: [{label, plugin, amount_minor}].
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The buyer's attributes (issue 15: a cart's, or given at the till), {key: value};
    # NULL for none. See core.carts.attributes.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Imported from a marketplace (``core.orders.imports``): its own order id, and when
    # the shopper placed the order there. NULL for orders placed here.
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    external_placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # The variant sold (kept when the catalog deletes it: the snapshot stands alone).
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="SET NULL"), nullable=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(512))
    quantity: Mapped[int] = mapped_column(BigInteger)
    # Units cancelled before they were fulfilled (``orderLinesCancel``, ``orderCancel``).
    cancelled_quantity: Mapped[int] = mapped_column(BigInteger, server_default="0")
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The line's adjustments as priced at checkout: [{label, plugin, amount_minor}].
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class OrderDeliveryGroupRow(Base):
    """How a set of the order's lines reaches the customer, and from where."""

    __tablename__ = "order_delivery_groups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(256))
    plugin: Mapped[str] = mapped_column(String(64))
    # The pickup store (PICKUP, CURBSIDE); None for deliveries.
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL"), nullable=True
    )
    cost_minor: Mapped[int] = mapped_column(BigInteger)
    estimated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pay_at_pickup: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{order_line_id, quantity, location_id}]: the plan, which location supplies what.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PaymentRow(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_one_of("status", PAYMENT_STATUSES), name="status"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    captured_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    # The provider's own reference for the authorisation (a PSP id), if any.
    reference: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderHistoryRow(Base):
    """Append-only: every status or payment status an order took, by whom, and why."""

    __tablename__ = "order_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(24))
    payment_status: Mapped[str] = mapped_column(String(24))
    # "customer:12", "staff:Alice", "guest", "system".
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(String(1024), default="")


class FulfilmentRow(Base):
    """Units of an order that left one location together (issue 14): shipped from it,
    or handed over there to the customer (a pickup). Written once, never changed."""

    __tablename__ = "fulfilments"
    __table_args__ = (
        CheckConstraint("method IN ('shipping', 'pickup')", name="method"),
        CheckConstraint("status IN ('shipped', 'collected')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="RESTRICT"), index=True
    )
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    tracking_carrier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(128), nullable=True)
    tracking_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # "staff:<name>", as in order_history.
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FulfilmentLineRow(Base):
    __tablename__ = "fulfilment_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fulfilment_id: Mapped[int] = mapped_column(
        ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(BigInteger)


class PickupRow(Base):
    """A click-and-collect handover at a location: one per order and location.

    The code is never stored in the clear: ``code_digest`` is an HMAC of it under the
    instance key (checked at collection), ``sealed_code`` the code sealed with that key
    so that the order's owner can be shown it again (``core.orders.pickup_codes``)."""

    __tablename__ = "pickups"
    __table_args__ = (UniqueConstraint("order_id", "location_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="RESTRICT"), index=True
    )
    code_digest: Mapped[str] = mapped_column(String(64))
    sealed_code: Mapped[str] = mapped_column(String(64))
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The fulfilment the handover wrote (set at collection).
    fulfilment_id: Mapped[int | None] = mapped_column(
        ForeignKey("fulfilments.id", ondelete="SET NULL"), nullable=True
    )
