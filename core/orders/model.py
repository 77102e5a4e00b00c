"""Orders as values: the order with its lines, delivery groups, payment and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.carts.addresses import MailingAddress
from core.carts.model import CartAdjustment
from core.channels.model import Location
from core.ids import (
    ChannelId,
    CustomerId,
    FulfilmentId,
    LocationId,
    OrderId,
    OrderLineId,
    PickupId,
    VariantId,
)
from core.money import Money
from core.payments.model import PaymentStatus


class OrderStatus(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    # Derived from fulfilments and pickups (issue 14, ``core.orders.progress``).
    PARTIALLY_FULFILLED = "partially_fulfilled"
    READY_FOR_PICKUP = "ready_for_pickup"
    FULFILLED = "fulfilled"
    COMPLETED = "completed"


_FULFILLING = frozenset(
    {
        OrderStatus.PARTIALLY_FULFILLED,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.FULFILLED,
        OrderStatus.COMPLETED,
    }
)

# Where an order may go from each status (``core.orders.cancel``, ``core.orders.progress``).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED, *_FULFILLING}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.CANCELLED, *_FULFILLING}),
    OrderStatus.PARTIALLY_FULFILLED: frozenset({OrderStatus.CANCELLED, *_FULFILLING}),
    OrderStatus.READY_FOR_PICKUP: frozenset({OrderStatus.CANCELLED, *_FULFILLING}),
    OrderStatus.FULFILLED: frozenset(),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Statuses in which staff still fulfil, hand over or reroute the order's units.
OPEN_STATUSES = frozenset(
    {
        OrderStatus.PLACED,
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_FULFILLED,
        OrderStatus.READY_FOR_PICKUP,
    }
)


class FulfilmentMethod(StrEnum):
    """How a fulfilment's units left: shipped from the location, or handed over there."""

    SHIPPING = "shipping"
    PICKUP = "pickup"


class FulfilmentStatus(StrEnum):
    SHIPPED = "shipped"
    COLLECTED = "collected"


@dataclass(frozen=True, slots=True)
class Tracking:
    carrier: str
    number: str
    url: str


@dataclass(frozen=True, slots=True)
class FulfilmentLine:
    order_line_id: OrderLineId
    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """Units of the order that left one location together (a parcel, or a handover)."""

    id: FulfilmentId
    order_id: OrderId
    location_id: LocationId
    method: FulfilmentMethod
    status: FulfilmentStatus
    lines: tuple[FulfilmentLine, ...]
    tracking: Tracking | None
    actor: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Pickup:
    """A click-and-collect handover at a location: ready (a code issued), then collected.

    ``code`` is filled only where its reader may see it (the order's owner)."""

    id: PickupId
    order_id: OrderId
    location_id: LocationId
    ready_at: datetime
    collected_at: datetime | None
    code: str | None


@dataclass(frozen=True, slots=True)
class OrderLine:
    id: OrderLineId
    variant_id: VariantId | None
    sku: str
    name: str
    quantity: int
    unit_price: Money
    total_price: Money
    adjustments: tuple[CartAdjustment, ...] = ()
    # Units cancelled before they were fulfilled; never fulfilled, never due.
    cancelled_quantity: int = 0

    @property
    def due_quantity(self) -> int:
        """The units still to be fulfilled or already fulfilled: not cancelled."""
        return self.quantity - self.cancelled_quantity


@dataclass(frozen=True, slots=True)
class PlannedUnits:
    """Units of one order line that one location supplies."""

    order_line_id: OrderLineId
    location_id: LocationId
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderDeliveryGroup:
    method: str
    handle: str
    title: str
    plugin: str
    location_id: LocationId | None
    cost: Money
    estimated_at: datetime | None
    pay_at_pickup: bool
    lines: tuple[PlannedUnits, ...]


@dataclass(frozen=True, slots=True)
class Payment:
    provider: str
    status: PaymentStatus
    amount: Money
    captured: Money
    refunded: Money
    reference: str | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    status: OrderStatus
    payment_status: PaymentStatus
    actor: str
    note: str


@dataclass(frozen=True, slots=True)
class OrderCost:
    subtotal_amount: Money
    delivery_amount: Money
    adjustments: tuple[CartAdjustment, ...]
    total_amount: Money


@dataclass(frozen=True, slots=True)
class Order:
    id: OrderId
    number: str
    channel_id: ChannelId
    customer_id: CustomerId | None
    email: str
    status: OrderStatus
    payment_status: PaymentStatus
    cost: OrderCost
    shipping_address: MailingAddress | None
    billing_address: MailingAddress | None
    lines: tuple[OrderLine, ...]
    delivery_groups: tuple[OrderDeliveryGroup, ...]
    payments: tuple[Payment, ...]
    history: tuple[HistoryEntry, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    # Where its returns were received (issue 14): stores that took its goods back.
    received_at: tuple[LocationId, ...] = ()
    # The buyer's attributes as placed (issue 15), (key, value) pairs in the order given.
    attributes: tuple[tuple[str, str], ...] = ()
    # The marketplace's own id of an imported order (issue 15); None when placed here.
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class FulfilmentAt:
    """A fulfilment with the location it left from (as the API shows it)."""

    fulfilment: Fulfilment
    location: Location


@dataclass(frozen=True, slots=True)
class PickupAt:
    """A pickup with the location it happens at (as the API shows it)."""

    pickup: Pickup
    location: Location
