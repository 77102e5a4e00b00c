"""Channels and locations as values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.ids import ChannelId, LocationId


class ChannelKind(StrEnum):
    WEB = "web"
    MOBILE = "mobile"
    MARKETPLACE = "marketplace"
    STORE = "store"
    OTHER = "other"


class StockDisplay(StrEnum):
    """How precisely a channel shows stock to shoppers (issue 4)."""

    EXACT = "exact"
    STATUS = "status"


DEFAULT_LOW_STOCK_THRESHOLD = 5


class MergePolicy(StrEnum):
    """How a guest cart merges into a customer's active cart on login (issue 5).

    - ``SUM``: quantities of the same variant add up, capped by availability.
    - ``KEEP_CUSTOMER``: the customer's lines win; guest lines for other variants join.
    - ``KEEP_GUEST``: the guest's lines win; customer lines for other variants stay.
    - ``NEWEST``: for a variant in both, the line changed last wins.
    """

    SUM = "sum"
    KEEP_CUSTOMER = "keep_customer"
    KEEP_GUEST = "keep_guest"
    NEWEST = "newest"


class PaymentCapture(StrEnum):
    """When an order's authorised payment is captured (issue 14): with its first
    fulfilment (the default; pay-at-pickup orders at collection), or as it is placed."""

    AT_FULFILMENT = "at_fulfilment"
    AT_PLACEMENT = "at_placement"


DEFAULT_RESERVATION_TTL_SECONDS = 15 * 60
DEFAULT_CART_TTL_SECONDS = 30 * 24 * 3600
DEFAULT_RETURN_WINDOW_DAYS = 30
MAX_RETURN_WINDOW_DAYS = 3650


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"


@dataclass(frozen=True, slots=True)
class EnabledPlugin:
    """A plugin switched on in a channel, with its raw (JSON) settings."""

    name: str
    settings: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Channel:
    id: ChannelId
    slug: str
    name: str
    kind: ChannelKind
    currency: str
    plugins: tuple[EnabledPlugin, ...] = ()
    stock_display: StockDisplay = StockDisplay.EXACT
    # Availability at or below this (and above zero) shows as LOW_STOCK.
    low_stock_threshold: int = DEFAULT_LOW_STOCK_THRESHOLD
    # A cart's reservations last this long after its last change.
    reservation_ttl_seconds: int = DEFAULT_RESERVATION_TTL_SECONDS
    # An untouched cart expires this long after its last change.
    cart_ttl_seconds: int = DEFAULT_CART_TTL_SECONDS
    cart_merge_policy: MergePolicy = MergePolicy.SUM
    payment_capture: PaymentCapture = PaymentCapture.AT_FULFILMENT
    # A customer may return goods this many days after they were fulfilled (issue 14).
    return_window_days: int = DEFAULT_RETURN_WINDOW_DAYS

    @property
    def plugin_names(self) -> tuple[str, ...]:
        return tuple(plugin.name for plugin in self.plugins)


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    line2: str
    postal_code: str
    city: str
    country_code: str


@dataclass(frozen=True, slots=True)
class Coordinates:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Location:
    id: LocationId
    slug: str
    name: str
    kind: LocationKind
    address: Address
    coordinates: Coordinates | None
    pickup_enabled: bool
    ship_from_store_enabled: bool


@dataclass(frozen=True, slots=True)
class ChannelLocation:
    """A location that supplies a channel; lower priority is drawn on first."""

    channel_id: ChannelId
    location_id: LocationId
    priority: int


@dataclass(frozen=True, slots=True)
class SupplyingLocation:
    """A location as it supplies one channel: ``priority`` lower is drawn on first."""

    location: Location
    priority: int
