"""Tables for channels, locations, the locations that supply a channel and enabled plugins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId


class ChannelRow(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    # Issue 4: 'exact' shows quantities, 'status' only IN_STOCK / LOW_STOCK / OUT_OF_STOCK,
    # LOW_STOCK at or below the threshold. Checked by the services (a CHECK added
    # later would make SQLite rebuild the table every other table references).
    stock_display: Mapped[str] = mapped_column(String(16), default="exact", server_default="exact")
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # Issue 5: how long a cart's hold on stock lasts after its last change, how long an
    # untouched cart lives, and how a guest cart merges into a customer's on login.
    reservation_ttl_seconds: Mapped[int] = mapped_column(Integer, default=900, server_default="900")
    cart_ttl_seconds: Mapped[int] = mapped_column(
        Integer, default=2_592_000, server_default="2592000"
    )
    cart_merge_policy: Mapped[str] = mapped_column(String(16), default="sum", server_default="sum")
    # Issue 14: when an order's payment is captured, 'at_fulfilment' or 'at_placement'.
    payment_capture: Mapped[str] = mapped_column(
        String(16), default="at_fulfilment", server_default="at_fulfilment"
    )
    # Issue 14: days after fulfilment in which a customer may return goods online.
    return_window_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")


class LocationRow(Base):
    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(32), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    pickup_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    ship_from_store_enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ChannelLocationRow(Base):
    """A location supplies a channel; lower ``priority`` is drawn on first."""

    __tablename__ = "channel_locations"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=0)


class ChannelPluginRow(Base):
    """A plugin enabled in a channel with its settings (validated by the plugin)."""

    __tablename__ = "channel_plugins"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    plugin: Mapped[str] = mapped_column(String(100), primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
