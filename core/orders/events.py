"""Domain events of orders, published on topic ``order`` by order id (``orderChanged``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.events.model import JsonValue, PublishedEvent
from core.ids import ChannelId, OrderId

ORDER_TOPIC = "order"


@dataclass(frozen=True, slots=True)
class OrderPlaced(PublishedEvent):
    """Checkout wrote the order (its allocations held, its payment authorised or pending)."""

    topic: ClassVar[str] = ORDER_TOPIC

    order_id: OrderId
    channel_id: ChannelId
    version: int

    def subject_ids(self) -> tuple[int, ...]:
        return (self.order_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "OrderPlaced",
            "order_id": self.order_id,
            "channel_id": self.channel_id,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class OrderCancelled(PublishedEvent):
    """The order was cancelled: its allocations released, its payment voided or refunded."""

    topic: ClassVar[str] = ORDER_TOPIC

    order_id: OrderId
    version: int

    def subject_ids(self) -> tuple[int, ...]:
        return (self.order_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {"type": "OrderCancelled", "order_id": self.order_id, "version": self.version}


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
