"""Events of returns and refunds (issue 14), on topic ``order`` by order id.

Like the fulfilment events (``core.orders.events``), each names the locations it
concerns in ``location_ids``, for the staff subscription ``orderEvents``: a return
made in a channel names that channel's locations (the stores where it will likely
arrive); a receipt names the location that received it; a refund names the
locations the order's goods left from and came back to.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.events.model import JsonValue
from core.ids import ChannelId, LocationId, OrderId, RefundId, ReturnId
from core.orders.events import OrderTopicEvent


@dataclass(frozen=True, slots=True)
class ReturnCreated(OrderTopicEvent):
    """A return of some of the order's units was made, in channel ``channel_id``."""

    order_id: OrderId
    return_id: ReturnId
    channel_id: ChannelId
    location_ids: tuple[LocationId, ...]
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "ReturnCreated",
            "order_id": self.order_id,
            "return_id": self.return_id,
            "channel_id": self.channel_id,
            "location_ids": list(self.location_ids),
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class ReturnReceived(OrderTopicEvent):
    """Units of a return arrived at a location (restocked there or written off)."""

    order_id: OrderId
    return_id: ReturnId
    location_id: LocationId
    status: str
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "ReturnReceived",
            "order_id": self.order_id,
            "return_id": self.return_id,
            "location_ids": [self.location_id],
            "status": self.status,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class RefundCreated(OrderTopicEvent):
    """Money was refunded to the customer through the order's payment provider."""

    order_id: OrderId
    refund_id: RefundId
    amount_minor: int
    currency: str
    location_ids: tuple[LocationId, ...]
    version: int

    def payload(self) -> dict[str, JsonValue]:
        return {
            "type": "RefundCreated",
            "order_id": self.order_id,
            "refund_id": self.refund_id,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "location_ids": list(self.location_ids),
            "version": self.version,
        }
