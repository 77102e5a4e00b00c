"""Returns and refunds as values (issue 14): what came back of an order, where it was
received and what became of it; what was paid back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.channels.model import Channel, Location
from core.ids import ChannelId, LocationId, OrderId, OrderLineId, RefundId, ReturnId, ReturnLineId
from core.money import Money


class ReturnStatus(StrEnum):
    """REQUESTED until a unit is received; then PARTIALLY_RECEIVED, RECEIVED when all are."""

    REQUESTED = "requested"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"


class Disposition(StrEnum):
    """What becomes of received units: back on hand where received, or written off."""

    RESTOCK = "restock"
    WRITE_OFF = "write_off"


def return_status(lines: tuple[ReturnLine, ...]) -> ReturnStatus:
    received = sum(line.received for line in lines)
    if received == 0:
        return ReturnStatus.REQUESTED
    if received < sum(line.quantity for line in lines):
        return ReturnStatus.PARTIALLY_RECEIVED
    return ReturnStatus.RECEIVED


@dataclass(frozen=True, slots=True)
class ReturnLine:
    id: ReturnLineId
    order_line_id: OrderLineId
    quantity: int
    reason: str
    received: int
    restocked: int
    written_off: int


@dataclass(frozen=True, slots=True)
class Return:
    """Units of an order's lines the customer sends or brings back, made in a channel."""

    id: ReturnId
    order_id: OrderId
    channel_id: ChannelId
    status: ReturnStatus
    # Where its units were last received; None until then.
    location_id: LocationId | None
    lines: tuple[ReturnLine, ...]
    actor: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReturnIn:
    """A return with the channel it was made in and the location it was last received
    at (as the API shows it)."""

    returned: Return
    channel: Channel
    location: Location | None


@dataclass(frozen=True, slots=True)
class RefundLine:
    order_line_id: OrderLineId
    quantity: int


@dataclass(frozen=True, slots=True)
class Refund:
    """Money paid back through the order's payment provider."""

    id: RefundId
    order_id: OrderId
    provider: str
    amount: Money
    reason: str
    lines: tuple[RefundLine, ...]
    actor: str
    created_at: datetime
