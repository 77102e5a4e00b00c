"""Every published event class, by name: what a webhook can subscribe to.

The one list (``EVENT_TYPES``) the GraphQL ``EventType`` enum is built from; a test
checks that every ``PublishedEvent`` subclass in core is on it, so it cannot drift.
"""

from __future__ import annotations

from typing import Final

from core.carts.events import CartChanged
from core.catalog.events import PriceChanged
from core.events.model import PublishedEvent
from core.inventory.events import StockChanged
from core.orders.events import (
    AllocationRerouted,
    OrderCancelled,
    OrderFulfilled,
    OrderLinesCancelled,
    OrderPickedUp,
    OrderPlaced,
    OrderReadyForPickup,
    PaymentChanged,
)
from core.orders.return_events import RefundCreated, ReturnCreated, ReturnReceived

PUBLISHED_EVENTS: Final[tuple[type[PublishedEvent], ...]] = (
    StockChanged,
    PriceChanged,
    CartChanged,
    OrderPlaced,
    OrderCancelled,
    PaymentChanged,
    OrderFulfilled,
    OrderReadyForPickup,
    OrderPickedUp,
    AllocationRerouted,
    OrderLinesCancelled,
    ReturnCreated,
    ReturnReceived,
    RefundCreated,
)

# The names webhooks subscribe with: the delivered body's "type".
EVENT_TYPES: Final[tuple[str, ...]] = tuple(event.event_type() for event in PUBLISHED_EVENTS)
