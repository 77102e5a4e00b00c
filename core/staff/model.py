"""Staff principals and the scopes their API tokens carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.ids import LocationId, StaffTokenId, StaffUserId


class Scope(StrEnum):
    """What a staff token may do. New scopes are added here, never renamed."""

    CATALOG_WRITE = "catalog:write"
    CHANNELS_WRITE = "channels:write"
    # Stock counts, adjustments, point-of-sale sales, transfers and the movement log.
    INVENTORY_WRITE = "inventory:write"
    # Reading every channel's orders (issue 13).
    ORDERS_READ = "orders:read"
    # Cancelling orders (and, later, fulfilling them).
    ORDERS_MANAGE = "orders:manage"
    # Reading the product feeds of every channel (issue 15).
    FEEDS_READ = "feeds:read"
    # Registering outbound webhooks and reading their delivery log (issue 15).
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    """Who a valid staff token speaks for."""

    staff_user_id: StaffUserId
    staff_name: str
    token_id: StaffTokenId
    scopes: frozenset[Scope]
    # The locations a location-scoped token acts for; None for every location.
    locations: frozenset[LocationId] | None = None

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    def may_act_at(self, location_id: LocationId) -> bool:
        """Whether this token may see and act on ``location_id``'s work."""
        return self.locations is None or location_id in self.locations


@dataclass(frozen=True, slots=True)
class StaffToken:
    """A token's record; the secret itself is never stored or shown again."""

    id: StaffTokenId
    prefix: str
    staff_name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    # The slugs of the locations it acts for, sorted; empty for every location.
    locations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token: ``token`` is shown once, to the person who asked."""

    token: str
    record: StaffToken
