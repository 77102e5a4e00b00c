"""Spending points: what a number of points takes off a batch of lines, and what an
order's adjustment cost in points. Pure functions of money and lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from omnicart import Money, PriceAdjustment, PriceLine
from omnicart_loyalty.settings import REDEEM_ATTRIBUTE


def requested_points(attributes: Mapping[str, str]) -> int | None:
    """The points the buyer asked to spend: None when they asked nothing, 0 when what
    they wrote is not a positive whole number."""
    raw = attributes.get(REDEEM_ATTRIBUTE)
    if raw is None:
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return 0
    return int(text)


def discount(
    points: int, point_value: Money, lines: Sequence[PriceLine], label: str
) -> list[PriceAdjustment]:
    """``points`` worth of discount, spread over ``lines`` in proportion to their value.

    Never more than the lines are worth, nor more than a line's unit price off a unit.
    An adjustment is per unit, so a share that does not divide by a line's quantity is
    topped up on the next lines; what still does not divide (a few minor units) is not
    given, and not charged in points either (``points_spent``)."""
    values = [line.unit_price.minor_units * line.quantity for line in lines]
    whole = sum(values)
    target = min(points * point_value.minor_units, whole)
    if target <= 0:
        return []
    off = [
        min(line.unit_price.minor_units, target * value // whole // line.quantity)
        for line, value in zip(lines, values, strict=True)
    ]
    left = target - sum(units * line.quantity for units, line in zip(off, lines, strict=True))
    for index, line in enumerate(lines):
        extra = min(line.unit_price.minor_units - off[index], left // line.quantity)
        off[index] += extra
        left -= extra * line.quantity
    currency = point_value.currency
    return [
        PriceAdjustment(line.key, Money(-units, currency), label)
        for line, units in zip(lines, off, strict=True)
        if units
    ]


def points_spent(amount_off: Money, point_value: Money, requested: int) -> int:
    """The points an adjustment of ``amount_off`` cost: its value in points, rounded up
    (a fraction of a point is a whole one), never more than were asked."""
    minor = abs(amount_off.minor_units)
    return min(requested, -(-minor // point_value.minor_units))
