"""Delivery use cases: a cart's groups and options, its fulfilment plan, what blocks
checkout. Reads only: choosing options is a cart change
(``core.carts.delivery_selection``), and the delivery amount is part of the cart's
cost (``core.carts.delivery_cost``).

Each takes a connection (a read connection, or the unit of work's inside a
transaction) and the plugin host; a plugin's failure raises ``PluginError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from core.carts.model import Cart
from core.channels.model import Channel, Coordinates
from core.db.reads import ReadConnection
from core.delivery.groups import groups_for, location_stock
from core.delivery.model import (
    CheckoutContext,
    CheckoutProblem,
    DeliveryGroup,
    DeliverySelection,
    FulfilmentPlan,
    LocationStock,
    SourcingContext,
)
from core.delivery.sourcing import default_plan
from core.ids import CartLineId
from core.money import Money
from core.plugin_host import PluginHost

__all__ = ["checkout_problems", "delivery_groups", "location_stock", "source_lines"]


async def delivery_groups(
    connection: ReadConnection,
    plugins: PluginHost,
    channel: Channel,
    cart: Cart,
    *,
    now: datetime,
    line_totals: Mapping[CartLineId, Money],
    near: Coordinates | None = None,
    selection: DeliverySelection | None = None,
    stock: tuple[LocationStock, ...] | None = None,
) -> list[DeliveryGroup]:
    """The cart's delivery groups with their options and selected option.

    ``line_totals``: each line's total after price adjustments (``PricedCart``); a
    line missing counts as zero. ``selection`` defaults to the cart's stored one.
    ``stock``: ``location_stock`` already read in this transaction (read here when
    None). Raises ``PluginError``.
    """
    if stock is None:
        stock = await location_stock(connection, channel, cart, now=now)
    chosen = dict(cart.delivery_selection) if selection is None else selection
    return await groups_for(
        plugins, channel, cart, chosen, stock, now=now, line_totals=line_totals, near=near
    )


async def source_lines(
    connection: ReadConnection,
    plugins: PluginHost,
    channel: Channel,
    cart: Cart,
    selection: DeliverySelection,
    *,
    now: datetime,
    line_totals: Mapping[CartLineId, Money],
    stock: tuple[LocationStock, ...] | None = None,
) -> FulfilmentPlan:
    """Which location supplies which units of which line: the first plugin's plan, or
    the built-in default (``core.delivery.sourcing``). ``stock`` as for
    ``delivery_groups``. Raises ``PluginError``."""
    if stock is None:
        stock = await location_stock(connection, channel, cart, now=now)
    groups = await groups_for(
        plugins, channel, cart, selection, stock, now=now, line_totals=line_totals
    )
    context = SourcingContext(now=now, groups=tuple(groups), stock=stock)
    planned = await plugins.source_lines(channel, cart, selection, context)
    return planned if planned is not None else default_plan(cart, groups, stock)


async def checkout_problems(
    plugins: PluginHost,
    channel: Channel,
    cart: Cart,
    *,
    now: datetime,
    groups: Sequence[DeliveryGroup] = (),
) -> list[CheckoutProblem]:
    """Every enabled plugin's problems that block checkout. Raises ``PluginError``."""
    context = CheckoutContext(now=now, groups=tuple(groups))
    return await plugins.checkout_problems(channel, cart, context)
