"""Staff views of stock: levels and movements, with their variant and location.

Built in one go from core values: ``StockRefs.load`` reads every variant and
location a response mentions in a constant number of statements, and the types'
nested fields are plain attributes (no per-row loads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import strawberry

from core.channels import queries as channel_queries
from core.channels.model import Location as LocationValue
from core.db.reads import ReadConnection
from core.ids import LocationId, VariantId
from core.inventory import model, queries
from schema.channels.types import Location
from schema.relay import PageInfo, to_global_id

StockMovementKind = strawberry.enum(
    model.MovementKind,
    name="StockMovementKind",
    description="Why on-hand stock changed: a count (SET), an adjustment, a point-of-sale "
    "sale, or one side of a transfer.",
)


@strawberry.type(description="The variant a stock level or movement is about, in any channel.")
class InventoryVariant:
    id: strawberry.ID = strawberry.field(description="The ProductVariant's ID.")
    sku: str
    name: str

    @classmethod
    def from_model(cls, variant: model.VariantRef) -> InventoryVariant:
        return cls(
            id=strawberry.ID(to_global_id("ProductVariant", variant.id)),
            sku=variant.sku,
            name=variant.name,
        )


@strawberry.type(description="Stock of a variant at a location right now.")
class StockLevel:
    variant: InventoryVariant
    location: Location
    on_hand: int = strawberry.field(description="Units physically at the location.")
    reserved: int = strawberry.field(
        description="Units held by active (unexpired) reservations of carts and orders."
    )
    available: int = strawberry.field(description="On hand less reserved: what can be sold.")


@strawberry.type(description="One entry of the stock movement log.")
class StockMovement:
    id: strawberry.ID
    kind: StockMovementKind  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    delta: int = strawberry.field(description="Change of on-hand stock; negative takes away.")
    on_hand_after: int
    reason: str
    actor: str = strawberry.field(description="The staff member whose token made the change.")
    created_at: datetime
    variant: InventoryVariant
    location: Location


@strawberry.type
class StockMovementEdge:
    cursor: str
    node: StockMovement


@strawberry.type(description="A page of the stock movement log, newest first.")
class StockMovementConnection:
    edges: list[StockMovementEdge]
    nodes: list[StockMovement]
    page_info: PageInfo


@dataclass(frozen=True, slots=True)
class StockRefs:
    """The variants and locations a response mentions, read once."""

    variants: dict[VariantId, model.VariantRef]
    locations: dict[LocationId, LocationValue]

    @classmethod
    async def load(
        cls,
        connection: ReadConnection,
        variant_ids: Iterable[VariantId],
        location_ids: Iterable[LocationId],
    ) -> StockRefs:
        location_keys = sorted(set(location_ids))
        return cls(
            variants=await queries.variant_refs_by_id(connection, list(set(variant_ids))),
            locations=await channel_queries.locations_by_id(connection, location_keys)
            if location_keys
            else {},
        )

    def level(self, level: model.StockLevel) -> StockLevel:
        return StockLevel(
            variant=InventoryVariant.from_model(self.variants[level.variant_id]),
            location=Location.from_model(self.locations[level.location_id]),
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
        )

    def movement(self, movement: model.StockMovement) -> StockMovement:
        return StockMovement(
            id=strawberry.ID(to_global_id("StockMovement", movement.id)),
            kind=movement.kind,
            delta=movement.delta,
            on_hand_after=movement.on_hand_after,
            reason=movement.reason,
            actor=movement.actor,
            created_at=movement.created_at,
            variant=InventoryVariant.from_model(self.variants[movement.variant_id]),
            location=Location.from_model(self.locations[movement.location_id]),
        )
