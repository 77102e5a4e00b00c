"""Delivery as values: methods, options, groups, the selection, the fulfilment plan.

A cart's lines are split into delivery groups; each group offers options (home
delivery, pick-up at a store, ...) gathered from the channel's plugins, and the
shopper selects one option per group by its ``handle``. Group ids are deterministic
(``delivery-1``, ``delivery-2``, ...: see ``core.delivery.groups``) so a selection
made on one read still names the same group on the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

from core.channels.model import Coordinates, Location
from core.ids import CartLineId, LocationId, VariantId
from core.money import Money


class DeliveryMethod(StrEnum):
    SHIPPING = "SHIPPING"
    PICKUP = "PICKUP"
    CURBSIDE = "CURBSIDE"
    # The marketplace delivers (it owns the shopper's delivery choice).
    MARKETPLACE = "MARKETPLACE"


# Methods whose option names the location that hands the lines over.
HANDED_OVER = frozenset({DeliveryMethod.PICKUP, DeliveryMethod.CURBSIDE})


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    """One way to deliver a group's lines.

    ``handle`` is unique within its group and stable across reads (``pickup:<store
    slug>``), since a client selects by it. ``line_ids`` empty means every line of the
    group; a subset (a store that holds only some lines now) narrows the group when
    selected, and the other lines form the next group. ``transfer``: the location may
    receive units from other locations before the hand-over (ready later).
    ``plugin`` is set by the host to the plugin that offered it.
    """

    handle: str
    title: str
    method: DeliveryMethod
    cost: Money
    estimated_at: datetime | None = None
    location_id: LocationId | None = None
    plugin: str = ""
    # Reserve-in-store: the shopper pays at the store when collecting.
    pay_at_pickup: bool = False
    line_ids: tuple[CartLineId, ...] = ()
    transfer: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryGroup:
    """Lines delivered together, the options offered for them and the one selected."""

    id: str
    line_ids: tuple[CartLineId, ...]
    options: tuple[DeliveryOption, ...]
    selected: DeliveryOption | None = None

    def option(self, handle: str) -> DeliveryOption | None:
        for option in self.options:
            if option.handle == handle:
                return option
        return None


# The shopper's choice: group id -> option handle.
DeliverySelection: TypeAlias = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class SourcedLine:
    """Units of one line that one location supplies, for one delivery group."""

    line_id: CartLineId
    variant_id: VariantId
    location_id: LocationId
    quantity: int
    group_id: str


@dataclass(frozen=True, slots=True)
class UnsourcedLine:
    """Units of a line no location can supply now."""

    line_id: CartLineId
    variant_id: VariantId
    quantity: int
    group_id: str


@dataclass(frozen=True, slots=True)
class FulfilmentPlan:
    """Which location supplies which units of which line (and what none can)."""

    lines: tuple[SourcedLine, ...]
    unsourced: tuple[UnsourcedLine, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckoutProblem:
    """Something that blocks checkout: a code for programs, a message for people."""

    code: str
    message: str
    plugin: str = ""


# ----------------------------------------------------------------- hook contexts


@dataclass(frozen=True, slots=True)
class LocationStock:
    """A location supplying the channel (priority order) and the units of each of the
    cart's variants it can give this cart now (its own holds counted as available)."""

    location: Location
    priority: int
    available: Mapping[VariantId, int]

    def has(self, variant_id: VariantId, quantity: int) -> bool:
        return self.available.get(variant_id, 0) >= quantity


@dataclass(frozen=True, slots=True)
class DeliveryContext:
    """What a delivery-options plugin may need beyond the channel, cart and address.

    ``goods_amount``: the group's lines after price adjustments (what a price table
    by cart value reads). ``stock``: the channel's supplying locations, priority order.
    ``near``: where the shopper is, when the request says so (nearest stores first).
    """

    now: datetime
    goods_amount: Money
    stock: tuple[LocationStock, ...]
    near: Coordinates | None = None


@dataclass(frozen=True, slots=True)
class SourcingContext:
    """What a sourcing plugin may need: the groups (with the selected options) and stock."""

    now: datetime
    groups: tuple[DeliveryGroup, ...]
    stock: tuple[LocationStock, ...]


@dataclass(frozen=True, slots=True)
class CheckoutContext:
    """What a checkout-validation plugin may need (more arrives with checkout)."""

    now: datetime
    groups: tuple[DeliveryGroup, ...] = field(default=())


def selection_pairs(selection: DeliverySelection) -> tuple[tuple[str, str], ...]:
    """A selection as the sorted (group id, handle) pairs a ``Cart`` carries."""
    return tuple(sorted(selection.items()))
