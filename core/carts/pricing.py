"""Cart totals: base channel prices, one pricing-hook call for all lines, sums.

- A line's base unit price is the variant's price in the cart's channel now.
- The channel's pricing plugins adjust unit prices (``omnicart_price_lines``, one call
  for the whole cart); each adjustment keeps its label and the plugin that made it.
- Line total = adjusted unit price x quantity; subtotal = sum of base unit price x
  quantity; the cart's adjustments sum each (plugin, label) over the lines, so that
  subtotal + adjustments = total, in the channel's currency.
- A line whose variant is no longer sold in the channel has no cost and counts for
  nothing (it shows as a problem, ``core.carts.problems``).
- The delivery amount (the selected delivery options, ``core.carts.delivery_cost``)
  is zero here and added by ``with_delivery``: total = lines + delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from core.carts.model import (
    Cart,
    CartAdjustment,
    CartCost,
    LineCost,
    PricedCart,
    SaleInfo,
)
from core.channels.model import Channel
from core.hooks import PriceLine, PricingContext
from core.ids import CartLineId, VariantId
from core.money import Money
from core.plugin_host import PluginHost, PricedLine


async def price_cart(
    plugins: PluginHost,
    channel: Channel,
    cart: Cart,
    sale_info: Mapping[VariantId, SaleInfo],
    *,
    attributes: Mapping[str, str] | None = None,
) -> PricedCart:
    """Price every line of ``cart`` in ``channel``; raises ``PluginError`` if a plugin fails.

    ``attributes``: what the buyer attached (``PricingContext.attributes``), such as the
    till's ``{"loyalty.redeemPoints": "500"}``."""
    currency = channel.currency
    lines = [
        PriceLine(
            key=str(line.id),
            variant_id=line.variant_id,
            product_id=info.product_id,
            sku=info.sku,
            quantity=line.quantity,
            unit_price=info.base_price,
        )
        for line in cart.lines
        if (info := sale_info.get(line.variant_id)) is not None and info.base_price is not None
    ]
    priced = await plugins.price_lines(
        PricingContext(
            channel=channel, customer_id=cart.customer_id, attributes=dict(attributes or {})
        ),
        lines,
    )
    zero = Money.zero(currency)
    subtotal = total = zero
    line_costs: dict[CartLineId, LineCost] = {}
    sums: dict[tuple[str, str], int] = {}
    for result in priced:
        quantity = result.line.quantity
        base_total = result.line.unit_price * quantity
        line_total = result.unit_price * quantity
        adjustments = _line_adjustments(result.line.unit_price, result, quantity)
        for adjustment in adjustments:
            key = (adjustment.plugin, adjustment.label)
            sums[key] = sums.get(key, 0) + adjustment.amount.minor_units
        line_costs[CartLineId(int(result.line.key))] = LineCost(
            amount_per_quantity=result.unit_price,
            subtotal_amount=base_total,
            total_amount=line_total,
            adjustments=adjustments,
        )
        subtotal += base_total
        total += line_total
    cost = CartCost(
        subtotal_amount=subtotal,
        total_amount=total,
        adjustments=tuple(
            CartAdjustment(label=label, plugin=plugin, amount=Money(amount, currency))
            for (plugin, label), amount in sums.items()
            if amount
        ),
        delivery_amount=zero,
    )
    return PricedCart(
        cart=cart,
        channel=channel,
        line_costs=line_costs,
        sale_info=dict(sale_info),
        cost=cost,
    )


def with_delivery(priced: PricedCart, amount: Money) -> PricedCart:
    """``priced`` with ``amount`` as its delivery amount, included in the total."""
    cost = priced.cost
    lines_total = cost.total_amount - (cost.delivery_amount or Money.zero(amount.currency))
    return replace(
        priced,
        cost=replace(cost, delivery_amount=amount, total_amount=lines_total + amount),
    )


def line_totals(priced: PricedCart) -> dict[CartLineId, Money]:
    """Each priced line's total after adjustments (what delivery price tables read)."""
    return {line_id: cost.total_amount for line_id, cost in priced.line_costs.items()}


def _line_adjustments(base: Money, result: PricedLine, quantity: int) -> tuple[CartAdjustment, ...]:
    """The line's adjustments times its quantity, trimmed where the price floor (zero) bit.

    The host never lets a unit price go below zero; the part of a discount that the
    floor swallowed is taken off the last adjustments so that they add up exactly.
    """
    applied = [
        CartAdjustment(label=a.label, plugin=a.plugin, amount=a.amount_per_unit * quantity)
        for a in result.adjustments
    ]
    wanted = (result.unit_price - base) * quantity
    excess = sum((a.amount.minor_units for a in applied), 0) - wanted.minor_units
    if excess == 0:
        return tuple(applied)
    trimmed: list[CartAdjustment] = []
    for adjustment in reversed(applied):
        units = adjustment.amount.minor_units
        if excess < 0 and units < 0:
            give_back = min(-units, -excess)
            units += give_back
            excess += give_back
        trimmed.append(
            CartAdjustment(adjustment.label, adjustment.plugin, Money(units, base.currency))
        )
    return tuple(reversed(trimmed))
