"""A cart's delivery groups: the stock they are offered from, their options, the splits.

**Groups.** The first group, ``delivery-1``, holds every line of the cart. Its
options are the channel's plugins' answers for those lines
(``omnicart_delivery_options``). When the option selected for it covers only some of
its lines (a pick-up store that holds only those now, ``line_ids``), the group narrows
to them and the other lines form the next group, ``delivery-2``, with options of its
own, asked for those lines alone (priced on their goods amount). That repeats while a
selection narrows a group, so ids are a pure function of the lines and the selection:
re-reading gives the same ids, and a client's selection keeps naming the same group.

**Selections that no longer apply.** A selection for a group the cart does not have
now (the option that split it was changed), or a handle its group no longer offers
(the store sold out, a line was added that it does not hold), is ignored: the group
has no selected option and costs nothing until the shopper chooses again.

**Stock.** Options see what each location supplying the channel can give this cart:
on hand less active reservations, with the cart's own holds counted as available to
it (3 to 4 statements for any number of lines and groups).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from core.carts.model import Cart
from core.channels import queries as channel_queries
from core.channels.model import Channel, Coordinates
from core.db.reads import ReadConnection
from core.delivery.model import (
    DeliveryContext,
    DeliveryGroup,
    DeliverySelection,
    LocationStock,
)
from core.ids import CartLineId, LocationId, VariantId
from core.inventory import queries as inventory_queries
from core.inventory.model import OwnerKind
from core.money import Money, sum_money
from core.plugin_host import PluginHost


def group_id(position: int) -> str:
    """The id of the ``position``-th group (from 1)."""
    return f"delivery-{position}"


async def location_stock(
    connection: ReadConnection, channel: Channel, cart: Cart, *, now: datetime
) -> tuple[LocationStock, ...]:
    """The channel's supplying locations (priority order) and what each can give the cart."""
    variant_ids = sorted({line.variant_id for line in cart.lines})
    if not variant_ids:
        return ()
    supply = await inventory_queries.available_in_channel(
        connection, channel_id=channel.id, variant_ids=variant_ids, now=now
    )
    own: dict[tuple[VariantId, LocationId], int] = {}
    for held in await inventory_queries.reservations_by_owner(
        connection, owner_kind=OwnerKind.CART, owner_id=str(cart.id)
    ):
        if held.expires_at > now:
            key = (held.variant_id, held.location_id)
            own[key] = own.get(key, 0) + held.quantity
    priorities: dict[LocationId, int] = {}
    available: dict[LocationId, dict[VariantId, int]] = {}
    for variant_id, found in supply.items():
        for at in found.locations:
            priorities.setdefault(at.location_id, at.priority)
            units = at.available + own.get((variant_id, at.location_id), 0)
            available.setdefault(at.location_id, {})[variant_id] = units
    if not priorities:
        return ()
    locations = await channel_queries.locations_by_id(connection, list(priorities))
    return tuple(
        LocationStock(locations[location_id], priority, available.get(location_id, {}))
        for location_id, priority in priorities.items()
        if location_id in locations
    )


async def groups_for(
    plugins: PluginHost,
    channel: Channel,
    cart: Cart,
    selection: DeliverySelection,
    stock: tuple[LocationStock, ...],
    *,
    now: datetime,
    line_totals: Mapping[CartLineId, Money],
    near: Coordinates | None = None,
) -> list[DeliveryGroup]:
    """The groups of ``cart`` under ``selection`` (see the module docstring)."""
    groups: list[DeliveryGroup] = []
    remaining = list(cart.lines)
    zero = Money.zero(channel.currency)
    while remaining:
        this_id = group_id(len(groups) + 1)
        goods = sum_money((line_totals.get(line.id, zero) for line in remaining), channel.currency)
        context = DeliveryContext(now=now, goods_amount=goods, stock=stock, near=near)
        part = replace(cart, lines=tuple(remaining))
        options = tuple(await plugins.delivery_options(channel, part, context))
        handle = selection.get(this_id)
        chosen = None
        for option in options:
            if option.handle == handle:
                chosen = option
        ids = tuple(line.id for line in remaining)
        covered = set(chosen.line_ids) if chosen is not None and chosen.line_ids else set(ids)
        groups.append(
            DeliveryGroup(
                id=this_id,
                line_ids=tuple(line_id for line_id in ids if line_id in covered),
                options=options,
                selected=chosen,
            )
        )
        remaining = [line for line in remaining if line.id not in covered]
    return groups


def delivery_amount(groups: list[DeliveryGroup], currency: str) -> Money:
    """What the selected options cost together (zero when none is selected)."""
    return sum_money(
        (group.selected.cost for group in groups if group.selected is not None), currency
    )
