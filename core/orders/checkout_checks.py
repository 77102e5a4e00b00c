"""What blocks a checkout, found before anything is written and reported together:
the cart's own state (lines, email, delivery choices, a shipping address where one
ships), the plugins' objections (``omnicart_checkout_validate``) and the payment
provider (``core.payments.services.provider_problems``, the check ``authorize`` makes
itself)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.carts.model import Cart, PricedCart
from core.channels.model import Channel
from core.delivery import services as delivery
from core.delivery.model import DeliveryGroup, DeliveryMethod
from core.errors import ErrorCode, Problem
from core.payments import services as payments
from core.plugin_host import PluginHost


@dataclass(frozen=True, slots=True)
class PaymentInput:
    provider: str
    data: Mapping[str, Any] = field(default_factory=dict)


def cart_problems(priced: PricedCart, groups: Sequence[DeliveryGroup], email: str) -> list[Problem]:
    cart = priced.cart
    problems: list[Problem] = []
    if not cart.lines:
        problems.append(Problem(ErrorCode.REQUIRED, "The cart has no lines", "lines"))
    for index, line in enumerate(cart.lines):
        if line.id not in priced.line_costs:
            problems.append(
                Problem(
                    ErrorCode.NOT_SOLD_IN_CHANNEL,
                    "This variant is no longer sold in the cart's channel",
                    f"lines.{index}",
                )
            )
    if not email:
        problems.append(Problem(ErrorCode.REQUIRED, "Checkout needs an email address", "email"))
    for group in groups:
        if group.selected is None:
            problems.append(
                Problem(
                    ErrorCode.REQUIRED,
                    f"Choose a delivery option for delivery group {group.id}",
                    f"deliveryGroups.{group.id}",
                )
            )
    ships = any(
        group.selected is not None and group.selected.method is DeliveryMethod.SHIPPING
        for group in groups
    )
    if ships and cart.shipping_address is None:
        problems.append(
            Problem(ErrorCode.REQUIRED, "Delivery needs a shipping address", "shippingAddress")
        )
    return problems


async def plugin_problems(
    plugins: PluginHost,
    channel: Channel,
    cart: Cart,
    *,
    now: datetime,
    groups: Sequence[DeliveryGroup] = (),
    field: str | None = "token",
) -> list[Problem]:
    """The enabled plugins' objections (``omnicart_checkout_validate``), each as
    ``CHECKOUT_BLOCKED`` naming the plugin and its own code. Raises ``PluginError``."""
    return [
        Problem(
            ErrorCode.CHECKOUT_BLOCKED,
            f"{problem.message} ({problem.plugin}: {problem.code})",
            field,
        )
        for problem in await delivery.checkout_problems(
            plugins, channel, cart, now=now, groups=groups
        )
    ]


def payment_problems(
    plugins: PluginHost, channel: Channel, payment: PaymentInput, groups: Sequence[DeliveryGroup]
) -> list[Problem]:
    """What ``payments.authorize`` would refuse about the provider, asked before anything
    is written so that a client hears of every problem at once."""
    return payments.provider_problems(
        plugins, channel, payment.provider, pickup_only=pickup_only(groups)
    )


def pickup_only(groups: Sequence[DeliveryGroup]) -> bool:
    return bool(groups) and all(
        group.selected is not None
        and group.selected.method in (DeliveryMethod.PICKUP, DeliveryMethod.CURBSIDE)
        for group in groups
    )
