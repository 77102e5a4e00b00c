"""Inventory events, recorded on the unit of work and dispatched after commit.

``StockChanged`` is published (outbox, subscriptions in every process); the others
carry owner ids and reservation details and stay in the process that recorded them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Final

from core.events.model import JsonValue, PublishedEvent
from core.ids import LocationId, VariantId
from core.inventory.model import OwnerKind, Reservation

# Subscribers of this topic filter by variant id (core.inventory.live).
STOCK_TOPIC: Final = "stock"


class StockChangeCause(StrEnum):
    SET = "set"
    ADJUSTED = "adjusted"
    SOLD = "sold"
    TRANSFERRED = "transferred"
    RESERVED = "reserved"
    RELEASED = "released"
    EXPIRED = "expired"
    FULFILLED = "fulfilled"
    REROUTED = "rerouted"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class StockChanged(PublishedEvent):
    """What a variant can be sold from at these locations changed (on hand or reserved)."""

    topic: ClassVar[str] = STOCK_TOPIC

    variant_id: VariantId
    location_ids: tuple[LocationId, ...]
    cause: StockChangeCause

    def subject_ids(self) -> tuple[int, ...]:
        return (self.variant_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {
            "variant_id": self.variant_id,
            "location_ids": list(self.location_ids),
            "cause": self.cause.value,
        }


@dataclass(frozen=True, slots=True)
class StockReserved:
    owner_kind: OwnerKind
    owner_id: str
    reservations: tuple[Reservation, ...]


@dataclass(frozen=True, slots=True)
class ReservationsReleased:
    owner_kind: OwnerKind
    owner_id: str
    reservations: tuple[Reservation, ...]


@dataclass(frozen=True, slots=True)
class ReservationsExpired:
    """Reservations past their expiry were deleted (by the sweeper or a later write)."""

    reservations: tuple[Reservation, ...]
