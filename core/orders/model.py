"""Orders as values: the order with its lines, delivery groups, payment and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.carts.addresses import MailingAddress
from core.carts.model import CartAdjustment
from core.ids import ChannelId, CustomerId, LocationId, OrderId, OrderLineId, VariantId
from core.money import Money
from core.payments.model import PaymentStatus


class OrderStatus(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


# Where an order may go from each status (``core.orders.cancel`` and later fulfilment).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset(),
}


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
