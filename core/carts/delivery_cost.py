"""The delivery amount of a priced cart: what its selected delivery options cost.

A cart with no selection costs nothing to deliver and needs no read (the hot path of
adds and reads stays as it was). With one, the cart's delivery groups are worked out
(``core.delivery``: stock reads and the delivery-options hook) and the selected
options that still apply are summed into ``cost.deliveryAmount`` and the total.
"""

from __future__ import annotations

from datetime import datetime

from core.carts.model import PricedCart
from core.carts.pricing import line_totals, with_delivery
from core.db.reads import ReadConnection
from core.delivery import services as delivery
from core.delivery.groups import delivery_amount
from core.plugin_host import PluginHost
from core.uow import UnitOfWork


async def priced_with_delivery(uow: UnitOfWork, priced: PricedCart) -> PricedCart:
    """``priced`` with its delivery amount, read inside the unit of work."""
    if not priced.cart.delivery_selection:
        return priced
    return await add_delivery(await uow.connection(), uow.plugins, priced, uow.clock.now())


async def add_delivery(
    connection: ReadConnection, plugins: PluginHost, priced: PricedCart, now: datetime
) -> PricedCart:
    """``priced`` with the cost of its selected (and still offered) delivery options."""
    if not priced.cart.delivery_selection:
        return priced
    groups = await delivery.delivery_groups(
        connection,
        plugins,
        priced.channel,
        priced.cart,
        now=now,
        line_totals=line_totals(priced),
    )
    return with_delivery(priced, delivery_amount(groups, priced.channel.currency))
