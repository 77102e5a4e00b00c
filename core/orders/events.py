"""Domain events of orders, published on topic ``order`` by order id (``orderChanged``).

Convention (issue 14): an order event's ``subject_ids`` is ``(order_id,)``, and its
payload names the locations the event concerns as ``"location_ids"`` (for a whole
order, ``core.orders.locations.order_location_ids``). ``orderEvents`` pushes an event to
the staff of those locations; an event without ``location_ids`` (``PaymentChanged``)
concerns no store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from core.events.model import JsonValue, PublishedEvent
from core.ids import ChannelId, LocationId, OrderId

ORDER_TOPIC = "order"


def location_ids_json(location_ids: Iterable[LocationId]) -> list[JsonValue]:
    """An event payload's ``location_ids``: sorted, unique."""
    return list(sorted(set(location_ids)))


@dataclass(frozen=True, slots=True)
class OrderPlaced(PublishedEvent):
    """Checkout wrote the order (its allocations held, its payment authorised or pending)."""

    topic: ClassVar[str] = ORDER_TOPIC

    order_id: OrderId
    channel_id: ChannelId
    version: int
    # Where the order has work: its pickup stores and supplying locations.
    location_ids: tuple[LocationId, ...] = ()

    def subject_ids(self) -> tuple[int, ...]:
        return (self.order_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderPlaced",
            "order_id": self.order_id,
            "channel_id": self.channel_id,
            "version": self.version,
            "location_ids": location_ids_json(self.location_ids),
        }


@dataclass(frozen=True, slots=True)
class OrderCancelled(PublishedEvent):
    """The order was cancelled: its allocations released, its payment voided or refunded."""

    topic: ClassVar[str] = ORDER_TOPIC

    order_id: OrderId
    version: int
    # Where the order had work: the locations its released allocations return to.
    location_ids: tuple[LocationId, ...] = ()

    def subject_ids(self) -> tuple[int, ...]:
        return (self.order_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderCancelled",
            "order_id": self.order_id,
            "version": self.version,
            "location_ids": location_ids_json(self.location_ids),
        }


@dataclass(frozen=True, slots=True)
class PaymentChanged(PublishedEvent):
    """The order's payment status changed (``status`` is the new one)."""

    topic: ClassVar[str] = ORDER_TOPIC

    order_id: OrderId
    status: str
    version: int

    def subject_ids(self) -> tuple[int, ...]:
        return (self.order_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "PaymentChanged",
            "order_id": self.order_id,
            "status": self.status,
            "version": self.version,
        }
