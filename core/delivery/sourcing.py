"""The built-in fulfilment plan, used when no plugin answers ``omnicart_source_lines``.

- A group whose selected option hands the lines over at a location (pick-up,
  curbside) is supplied by that location as far as its stock goes; when the option
  allows a transfer, the rest comes from the channel's other locations in priority
  order (to be sent to the store).
- Every other group (home delivery, marketplace, nothing selected yet) is supplied
  from the channel's locations in priority order, as a cart's reservations are taken
  (``core.inventory.holds``).
- Units no location can give are listed as unsourced. Each location's stock is drawn
  on once: two lines of one variant never count the same units twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.carts.model import Cart
from core.delivery.model import (
    HANDED_OVER,
    DeliveryGroup,
    FulfilmentPlan,
    LocationStock,
    SourcedLine,
    UnsourcedLine,
)
from core.ids import LocationId, VariantId


def default_plan(
    cart: Cart, groups: Sequence[DeliveryGroup], stock: Sequence[LocationStock]
) -> FulfilmentPlan:
    """Source every line of ``cart`` by the rules above."""
    left: dict[tuple[LocationId, VariantId], int] = {
        (at.location.id, variant_id): units
        for at in stock
        for variant_id, units in at.available.items()
    }
    by_priority = [at.location.id for at in sorted(stock, key=lambda at: at.priority)]
    lines = {line.id: line for line in cart.lines}
    sourced: list[SourcedLine] = []
    unsourced: list[UnsourcedLine] = []
    for group in groups:
        option = group.selected
        order = by_priority
        if option is not None and option.method in HANDED_OVER and option.location_id:
            store = option.location_id
            others = [location for location in by_priority if location != store]
            order = [store, *others] if option.transfer else [store]
        for line_id in group.line_ids:
            line = lines[line_id]
            wanted = line.quantity
            for location_id in order:
                if wanted == 0:
                    break
                key = (location_id, line.variant_id)
                taken = min(wanted, left.get(key, 0))
                if taken:
                    left[key] -= taken
                    wanted -= taken
                    sourced.append(
                        SourcedLine(line.id, line.variant_id, location_id, taken, group.id)
                    )
            if wanted:
                unsourced.append(UnsourcedLine(line.id, line.variant_id, wanted, group.id))
    return FulfilmentPlan(lines=tuple(sourced), unsourced=tuple(unsourced))
