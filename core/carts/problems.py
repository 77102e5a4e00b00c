"""Cart problems, computed when the cart is read: what a shopper should look at.

- ``NOT_SOLD_IN_CHANNEL``: the variant has no price in the cart's channel now, or its
  product is not published there.
- ``OUT_OF_STOCK`` / ``QUANTITY_ABOVE_AVAILABILITY``: the line wants more than the cart
  holds plus what the channel could still sell (after the availability hook). A cart
  holds stock for its lines, but holds expire (the channel's reservation lifetime) and
  stock can be counted down by staff, so a line can outgrow what is there.
- ``PRICE_CHANGED``: the channel's base unit price is not the one the line was added at.

None of them blocks anything by itself; checkout (a later issue) will.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import func, select

from core.carts.model import CartProblem, CartProblemCode, PricedCart
from core.db.reads import ReadConnection
from core.hooks import AvailabilityContext
from core.ids import VariantId
from core.inventory import queries as inventory_queries
from core.inventory.levels import reservations_table
from core.inventory.model import OwnerKind
from core.plugin_host import PluginHost


async def cart_problems(
    connection: ReadConnection, plugins: PluginHost, priced: PricedCart, *, now: datetime
) -> list[CartProblem]:
    cart, channel = priced.cart, priced.channel
    if not cart.lines:
        return []
    variant_ids = sorted({line.variant_id for line in cart.lines})
    summed = await inventory_queries.channel_quantities(
        connection, channel_id=channel.id, variant_ids=variant_ids, now=now
    )
    sellable = await plugins.available_quantities(AvailabilityContext(channel=channel), summed)
    held: dict[VariantId, int] = defaultdict(int)
    rows = await connection.execute(
        select(reservations_table.c.variant_id, func.sum(reservations_table.c.quantity))
        .where(
            reservations_table.c.owner_kind == OwnerKind.CART.value,
            reservations_table.c.owner_id == str(cart.id),
            reservations_table.c.expires_at > now,
        )
        .group_by(reservations_table.c.variant_id)
    )
    for variant_id, quantity in cast(Sequence[tuple[int, int]], rows.all()):
        held[VariantId(variant_id)] = int(quantity)
    problems: list[CartProblem] = []
    for line in cart.lines:
        info = priced.sale_info.get(line.variant_id)
        if info is None or info.base_price is None:
            problems.append(
                CartProblem(
                    CartProblemCode.NOT_SOLD_IN_CHANNEL,
                    line.id,
                    f"This item is not sold in {channel.name} any more",
                )
            )
            continue
        can_have = held[line.variant_id] + sellable.get(line.variant_id, 0)
        if can_have == 0:
            problems.append(
                CartProblem(CartProblemCode.OUT_OF_STOCK, line.id, "This item is out of stock", 0)
            )
        elif line.quantity > can_have:
            problems.append(
                CartProblem(
                    CartProblemCode.QUANTITY_ABOVE_AVAILABILITY,
                    line.id,
                    f"Only {can_have} of {line.quantity} are available",
                    can_have,
                )
            )
        added_at = line.unit_price_when_added
        if added_at is not None and added_at != info.base_price:
            problems.append(
                CartProblem(
                    CartProblemCode.PRICE_CHANGED,
                    line.id,
                    f"The price changed from {added_at.format()} to {info.base_price.format()}",
                )
            )
    return problems
