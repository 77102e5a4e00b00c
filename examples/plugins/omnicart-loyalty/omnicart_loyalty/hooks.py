"""The hooks: spend points in pricing and checkout, find a shopper by loyalty id."""

from __future__ import annotations

from collections.abc import Sequence

from omnicart import (
    Cart,
    Channel,
    CheckoutContext,
    CheckoutProblem,
    Money,
    PriceAdjustment,
    PriceLine,
    PricingContext,
    hookimpl,
)
from omnicart_loyalty import ledger
from omnicart_loyalty.redemption import discount, requested_points
from omnicart_loyalty.settings import REDEEM_ATTRIBUTE, LoyaltySettings

POINTS_INSUFFICIENT = "LOYALTY_POINTS_INSUFFICIENT"
POINTS_INVALID = "LOYALTY_POINTS_INVALID"


async def current_balance(customer_id: int | None) -> int:
    """The customer's points now (0 for a guest or before the first account)."""
    if customer_id is None:
        return 0
    async with ledger.opened() as engine, engine.connect() as connection:
        if not await ledger.has_tables(connection):
            return 0
        return await ledger.balance(connection, customer_id)


@hookimpl
async def omnicart_price_lines(
    context: PricingContext, lines: Sequence[PriceLine], settings: LoyaltySettings
) -> list[PriceAdjustment] | None:
    points = requested_points(context.attributes)
    if not points or not lines:
        return None
    # Asking for more than the balance gives nothing off: checkout then refuses the
    # cart (omnicart_checkout_validate), rather than selling at a price nobody asked.
    if points > await current_balance(context.customer_id):
        return None
    point_value = Money.parse(settings.point_value, context.channel.currency)
    return discount(points, point_value, lines, settings.label)


@hookimpl
async def omnicart_checkout_validate(
    channel: Channel, cart: Cart, context: CheckoutContext, settings: LoyaltySettings
) -> list[CheckoutProblem] | None:
    points = requested_points(dict(cart.attributes))
    if points is None:
        return None
    if points == 0:
        return [
            CheckoutProblem(
                POINTS_INVALID, f"{REDEEM_ATTRIBUTE} must be a positive whole number of points"
            )
        ]
    balance = await current_balance(cart.customer_id)
    if points > balance:
        return [
            CheckoutProblem(
                POINTS_INSUFFICIENT,
                f"Not enough loyalty points: {points} asked, {balance} available",
            )
        ]
    return None


@hookimpl
async def omnicart_customer_lookup(channel: Channel, identifier: str) -> int | None:
    if not identifier.upper().startswith(ledger.LOYALTY_ID_PREFIX):
        return None
    async with ledger.opened() as engine, engine.connect() as connection:
        if not await ledger.has_tables(connection):
            return None
        return await ledger.customer_of(connection, identifier)
