"""Stock, reservations and channel availability as values, with the display rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.channels.model import StockDisplay
from core.ids import LocationId, ProductId, ReservationId, StockMovementId, VariantId


class OwnerKind(StrEnum):
    """What holds a reservation."""

    CART = "cart"
    ORDER = "order"


class MovementKind(StrEnum):
    """Why on-hand stock changed; reservations never move on-hand stock."""

    SET = "set"
    ADJUST = "adjust"
    SALE = "sale"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    # Units of an order's allocation that left the location (issue 14).
    FULFILMENT = "fulfilment"
    # Units of a return received at the location (issue 14): back on hand, or written
    # off (a movement of zero units that records why they never came back on sale).
    RETURN = "return"
    WRITE_OFF = "write_off"


class StockStatus(StrEnum):
    IN_STOCK = "IN_STOCK"
    LOW_STOCK = "LOW_STOCK"
    OUT_OF_STOCK = "OUT_OF_STOCK"


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Stock of a variant at a location. ``reserved`` counts only active reservations."""

    variant_id: VariantId
    location_id: LocationId
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)


@dataclass(frozen=True, slots=True)
class StockCount:
    """How many units of a variant were counted at a location: its on-hand stock from now."""

    variant_id: VariantId
    quantity: int


@dataclass(frozen=True, slots=True)
class Reservation:
    id: ReservationId
    owner_kind: OwnerKind
    owner_id: str
    variant_id: VariantId
    location_id: LocationId
    quantity: int
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StockMovement:
    """One entry of the stock movement log: who changed on-hand stock, when, why, by how much."""

    id: StockMovementId
    variant_id: VariantId
    location_id: LocationId
    kind: MovementKind
    delta: int
    on_hand_after: int
    reason: str
    actor: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class VariantRef:
    """Which variant a stock level or movement is about, as staff see it (any channel)."""

    id: VariantId
    product_id: ProductId
    sku: str
    name: str


@dataclass(frozen=True, slots=True)
class LocationAvailability:
    """What a location that supplies a channel can sell of a variant right now."""

    location_id: LocationId
    priority: int
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)


@dataclass(frozen=True, slots=True)
class ChannelAvailability:
    """A variant's availability in a channel: the sum over its supplying locations."""

    variant_id: VariantId
    locations: tuple[LocationAvailability, ...]

    @property
    def quantity(self) -> int:
        return sum(location.available for location in self.locations)


@dataclass(frozen=True, slots=True)
class ShownAvailability:
    """What a shopper may see: a status, and the quantity where the channel shows it."""

    variant_id: VariantId
    status: StockStatus
    quantity: int | None


def stock_status(quantity: int, *, low_stock_threshold: int) -> StockStatus:
    """OUT_OF_STOCK at zero, LOW_STOCK up to and including the threshold, else IN_STOCK."""
    if quantity <= 0:
        return StockStatus.OUT_OF_STOCK
    if quantity <= low_stock_threshold:
        return StockStatus.LOW_STOCK
    return StockStatus.IN_STOCK


def shown_availabilities(
    quantities: Mapping[VariantId, int],
    *,
    stock_display: StockDisplay,
    low_stock_threshold: int,
) -> dict[VariantId, ShownAvailability]:
    """What a channel shows of each quantity (negative ones count as zero)."""
    # One loop rather than a call per variant: a listing shows 80 of them.
    exact = stock_display is StockDisplay.EXACT
    shown: dict[VariantId, ShownAvailability] = {}
    for variant_id, quantity in quantities.items():
        if quantity < 0:
            quantity = 0
        shown[variant_id] = ShownAvailability(
            variant_id,
            stock_status(quantity, low_stock_threshold=low_stock_threshold),
            quantity if exact else None,
        )
    return shown
