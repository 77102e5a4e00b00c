"""Domain events of orders, published on topic ``order`` by order id (``orderChanged``).

Convention (issue 14): an order event's ``subject_ids`` is ``(order_id,)``, and its
payload names the locations the event concerns as ``"location_ids"`` (for a whole
order, ``core.orders.locations.order_location_ids``). ``orderEvents`` pushes an event to
the staff of those locations; an event without ``location_ids`` (``PaymentChanged``)
concerns no store. ``OrderPlaced`` also names the order's customer (``"customer_id"``,
null for a guest's order), for that customer's ``myOrdersChanged``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from core.events.model import JsonValue, PublishedEvent
from core.ids import ChannelId, CustomerId, LocationId, OrderId

ORDER_TOPIC = "order"


class OrderTopicEvent(PublishedEvent):
    """An event of one order: published on topic ``order`` by the order's id (the
    subscribers of ``orderChanged`` and ``orderEvents`` filter by it)."""

    __slots__ = ()

    topic: ClassVar[str] = ORDER_TOPIC
    order_id: OrderId

    def subject_ids(self) -> tuple[int, ...]:
        return (self.order_id,)


def location_ids_json(location_ids: Iterable[LocationId]) -> list[JsonValue]:
    """An event payload's ``location_ids``: sorted, unique."""
    return list(sorted(set(location_ids)))


@dataclass(frozen=True, slots=True)
class OrderPlaced(OrderTopicEvent):
    """Checkout wrote the order (its allocations held, its payment authorised or pending)."""

    order_id: OrderId
    channel_id: ChannelId
    version: int
    # Where the order has work: its pickup stores and supplying locations.
    location_ids: tuple[LocationId, ...] = ()
    # Whose order it is (None: a guest's). Keyword-only and required, so that no place
    # recording the event forgets it: ``myOrdersChanged`` learns of a customer's new
    # orders by it (``core.orders.customer_live``).
    customer_id: CustomerId | None = field(kw_only=True)

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderPlaced",
            "order_id": self.order_id,
            "channel_id": self.channel_id,
            "customer_id": self.customer_id,
            "version": self.version,
            "location_ids": location_ids_json(self.location_ids),
        }


@dataclass(frozen=True, slots=True)
class OrderCancelled(OrderTopicEvent):
    """The order was cancelled: its allocations released, its payment voided or refunded."""

    order_id: OrderId
    version: int
    # Where the order had work: the locations its released allocations return to.
    location_ids: tuple[LocationId, ...] = ()

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderCancelled",
            "order_id": self.order_id,
            "version": self.version,
            "location_ids": location_ids_json(self.location_ids),
        }


@dataclass(frozen=True, slots=True)
class PaymentChanged(OrderTopicEvent):
    """The order's payment status changed (``status`` is the new one)."""

    order_id: OrderId
    status: str
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "PaymentChanged",
            "order_id": self.order_id,
            "status": self.status,
            "version": self.version,
        }


# Fulfilment events (issue 14). Each names the locations it concerns in
# ``location_ids`` (a reroute: the one given up, then the ones taken), so that staff
# subscriptions can filter by location (``orderEvents``).


@dataclass(frozen=True, slots=True)
class OrderFulfilled(OrderTopicEvent):
    """Units of the order were shipped from a location (a fulfilment was created)."""

    order_id: OrderId
    fulfilment_id: int
    location_id: LocationId
    status: str
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderFulfilled",
            "order_id": self.order_id,
            "fulfilment_id": self.fulfilment_id,
            "location_ids": [self.location_id],
            "status": self.status,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class OrderReadyForPickup(OrderTopicEvent):
    """The order's units wait at a location; a pickup code was issued to its owner."""

    order_id: OrderId
    location_id: LocationId
    status: str
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderReadyForPickup",
            "order_id": self.order_id,
            "location_ids": [self.location_id],
            "status": self.status,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class OrderPickedUp(OrderTopicEvent):
    """The customer collected the order's units at a location (a fulfilment was created)."""

    order_id: OrderId
    fulfilment_id: int
    location_id: LocationId
    status: str
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderPickedUp",
            "order_id": self.order_id,
            "fulfilment_id": self.fulfilment_id,
            "location_ids": [self.location_id],
            "status": self.status,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class AllocationRerouted(OrderTopicEvent):
    """Units the order held at one location are now held at others."""

    order_id: OrderId
    from_location_id: LocationId
    to_location_ids: tuple[LocationId, ...]
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "AllocationRerouted",
            "order_id": self.order_id,
            "location_ids": [self.from_location_id, *self.to_location_ids],
            "from_location_id": self.from_location_id,
            "to_location_ids": list(self.to_location_ids),
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class OrderLinesCancelled(OrderTopicEvent):
    """Units of the order's lines were cancelled before fulfilment: their allocations
    released at ``location_ids``, their value refunded when it was captured."""

    order_id: OrderId
    # (order line id, units cancelled now), by line id.
    lines: tuple[tuple[int, int], ...]
    location_ids: tuple[LocationId, ...]
    status: str
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderLinesCancelled",
            "order_id": self.order_id,
            "lines": [
                {"order_line_id": line_id, "quantity": quantity} for line_id, quantity in self.lines
            ],
            "location_ids": location_ids_json(self.location_ids),
            "status": self.status,
            "version": self.version,
        }
