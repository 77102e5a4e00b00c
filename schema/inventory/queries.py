"""Staff inventory reads: the stock movement log (``inventory:write``).

The log says who changed stock and why, so it is for staff only; reading it needs
the same scope as writing stock (no separate read scope yet).
"""

from __future__ import annotations

import strawberry

from core.errors import DomainError, ErrorCode
from core.ids import LocationId, StockMovementId, VariantId
from core.inventory import queries
from schema.context import Context
from schema.errors import bad_input
from schema.inputs import decode_id
from schema.inventory.staff_types import (
    StockMovementConnection,
    StockMovementEdge,
    StockRefs,
)
from schema.permissions import CanWriteInventory
from schema.relay import PageInfo, from_global_id, to_global_id

Info = strawberry.Info[Context, None]

_CURSOR_TYPE = "StockMovementCursor"


@strawberry.type
class InventoryQuery:
    @strawberry.field(
        permission_classes=[CanWriteInventory],
        description="The stock movement log, newest first, optionally for one variant "
        "and/or location. Needs inventory:write.",
    )
    async def stock_movements(
        self,
        info: Info,
        variant_id: strawberry.ID | None = None,
        location_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> StockMovementConnection:
        context = info.context
        try:
            maximum = context.runtime.settings.max_page_size
            if not 0 <= first <= maximum:
                raise DomainError.single(
                    ErrorCode.INVALID, f"first must be between 0 and {maximum}", "first"
                )
            variant = (
                VariantId(decode_id(variant_id, "ProductVariant", field="variantId"))
                if variant_id is not None
                else None
            )
            location = (
                LocationId(decode_id(location_id, "Location", field="locationId"))
                if location_id is not None
                else None
            )
            before = _decode_cursor(after) if after else None
        except DomainError as error:
            raise bad_input(error) from None
        async with context.runtime.reads.connect() as connection:
            rows = await queries.stock_movements(
                connection,
                variant_id=variant,
                location_id=location,
                limit=first + 1,
                before_id=before,
            )
            page = rows[:first]
            refs = await StockRefs.load(
                connection, [m.variant_id for m in page], [m.location_id for m in page]
            )
        nodes = [refs.movement(movement) for movement in page]
        edges = [
            StockMovementEdge(cursor=_cursor(movement.id), node=node)
            for movement, node in zip(page, nodes, strict=True)
        ]
        return StockMovementConnection(
            edges=edges,
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


def _cursor(movement_id: StockMovementId) -> str:
    return to_global_id(_CURSOR_TYPE, movement_id)


def _decode_cursor(raw: str) -> StockMovementId:
    try:
        return StockMovementId(from_global_id(raw, _CURSOR_TYPE, field="after")[1])
    except DomainError:
        raise DomainError.single(ErrorCode.INVALID, "Not a valid cursor", "after") from None
