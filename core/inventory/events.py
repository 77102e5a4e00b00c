"""Inventory events, recorded on the unit of work and dispatched after commit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.ids import LocationId, VariantId
from core.inventory.model import OwnerKind, Reservation


class StockChangeCause(StrEnum):
    SET = "set"
    ADJUSTED = "adjusted"
    SOLD = "sold"
    TRANSFERRED = "transferred"
    RESERVED = "reserved"
    RELEASED = "released"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class StockChanged:
    """What a variant can be sold from at these locations changed (on hand or reserved)."""

    variant_id: VariantId
    location_ids: tuple[LocationId, ...]
    cause: StockChangeCause


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
