"""What placing an order takes, shared by checkout (``core.orders.checkout``) and a
marketplace's import (``core.orders.imports``): the fulfilment plan (or
``INSUFFICIENT_STOCK`` on the lines no location can supply), the allocations it asks
for, and the order's row and delivery-group rows as ``core.orders.order_steps`` write
them. One place, so that an imported order is placed by the same rules as a checkout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.carts import tokens as cart_tokens
from core.carts.addresses import MailingAddress
from core.carts.model import Cart, CartLine, CartStatus
from core.channels.model import Channel
from core.db.reads import ReadConnection
from core.delivery import services as delivery
from core.delivery.model import DeliveryGroup, DeliverySelection, FulfilmentPlan, LocationStock
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartId, CartLineId, ChannelId, CustomerId, OrderLineId, VariantId
from core.money import Money
from core.orders import numbers
from core.orders.allocation import Allocation
from core.orders.model import OrderStatus
from core.payments.model import PaymentStatus
from core.plugin_host import PluginHost

# The id of a cart that was never stored (``unsaved_cart``): no stored cart has it, so
# allocation finds no holds of it and takes every unit anew.
UNSAVED_CART = CartId(0)


@dataclass(frozen=True, slots=True)
class UnsavedLine:
    """A line of an order that was never a stored cart: a variant, a quantity and,
    where the seller set it (a marketplace), its unit price."""

    variant_id: VariantId
    quantity: int
    unit_price: Money | None = None


def unsaved_cart(
    channel: Channel,
    lines: Sequence[UnsavedLine],
    *,
    now: datetime,
    customer_id: CustomerId | None = None,
    email: str = "",
    address: MailingAddress | None = None,
    attributes: Mapping[str, str] | None = None,
) -> Cart:
    """Lines that were never a stored cart (a marketplace's order, a till's basket) as a
    cart value, so that pricing, delivery options and sourcing take them as they take a
    cart's. Its id is ``UNSAVED_CART``; its lines are numbered from 1 in the order
    given, so line ``i + 1`` is input line ``i``."""
    return Cart(
        id=UNSAVED_CART,
        channel_id=ChannelId(channel.id),
        customer_id=customer_id,
        email=email,
        status=CartStatus.ACTIVE,
        merged_into_id=None,
        version=0,
        created_at=now,
        updated_at=now,
        expires_at=now,
        lines=tuple(
            CartLine(
                id=CartLineId(index + 1),
                variant_id=line.variant_id,
                quantity=line.quantity,
                unit_price_when_added=line.unit_price,
                created_at=now,
                updated_at=now,
            )
            for index, line in enumerate(lines)
        ),
        shipping_address=address,
        attributes=tuple((attributes or {}).items()),
    )


@dataclass(frozen=True, slots=True)
class Planned:
    """The plan for every line of ``cart``, and each line's position in the input."""

    plan: FulfilmentPlan
    positions: Mapping[CartLineId, int]

    def allocations(self) -> list[Allocation]:
        """What the order takes where, each reported on its line's input path."""
        return [
            Allocation(
                sourced.variant_id,
                sourced.location_id,
                sourced.quantity,
                f"lines.{self.positions[sourced.line_id]}",
            )
            for sourced in self.plan.lines
        ]


async def plan_lines(
    connection: ReadConnection,
    plugins: PluginHost,
    channel: Channel,
    cart: Cart,
    selection: DeliverySelection,
    *,
    now: datetime,
    line_totals: Mapping[CartLineId, Money],
    stock: tuple[LocationStock, ...],
) -> Planned:
    """The fulfilment plan (``omnicart_source_lines`` or the default); raises
    ``INSUFFICIENT_STOCK`` on each line (``lines.<i>``) no location can supply."""
    plan = await delivery.source_lines(
        connection,
        plugins,
        channel,
        cart,
        selection,
        now=now,
        line_totals=line_totals,
        stock=stock,
    )
    positions = {line.id: index for index, line in enumerate(cart.lines)}
    if plan.unsourced:
        raise DomainError(
            [
                Problem(
                    ErrorCode.INSUFFICIENT_STOCK,
                    f"{missing.quantity} units cannot be supplied for this delivery",
                    f"lines.{positions.get(missing.line_id, 0)}",
                )
                for missing in plan.unsourced
            ]
        )
    return Planned(plan, positions)


@dataclass(frozen=True, slots=True)
class OrderAmounts:
    payment_status: PaymentStatus
    currency: str
    subtotal: Money
    delivery: Money
    total: Money
    adjustments: list[dict[str, Any]]


def order_row(
    *,
    seal_key: bytes,
    key_digest: str,
    fingerprint: str,
    cart_id: CartId | None,
    channel: Channel,
    customer_id: CustomerId | None,
    email: str,
    amounts: OrderAmounts,
    shipping_address: MailingAddress | None,
    billing_address: MailingAddress | None,
    now: datetime,
    attributes: Sequence[tuple[str, str]] = (),
    external_id: str | None = None,
    external_placed_at: datetime | None = None,
) -> tuple[dict[str, Any], str]:
    """A new order's row (``order_steps.order_values``), PLACED at version 1, with a new
    number and token; and the token (given to its owner, stored only sealed)."""
    order_token = numbers.new_token()
    row: dict[str, Any] = {
        "number": numbers.new_number(),
        "token_digest": cart_tokens.digest(order_token),
        "sealed_token": cart_tokens.seal(order_token, seal_key),
        "checkout_key_digest": key_digest,
        "checkout_fingerprint": fingerprint,
        "cart_id": cart_id,
        "channel_id": channel.id,
        "customer_id": customer_id,
        "email": email,
        "status": OrderStatus.PLACED.value,
        "payment_status": amounts.payment_status.value,
        "currency": amounts.currency,
        "subtotal_minor": amounts.subtotal.minor_units,
        "delivery_minor": amounts.delivery.minor_units,
        "total_minor": amounts.total.minor_units,
        "adjustments": amounts.adjustments,
        "shipping_address": None if shipping_address is None else shipping_address.to_json(),
        "billing_address": None if billing_address is None else billing_address.to_json(),
        "attributes": dict(attributes) or None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "external_id": external_id,
        "external_placed_at": _utc(external_placed_at),
    }
    return row, order_token


def group_rows(
    groups: Sequence[DeliveryGroup],
    planned: Planned,
    order_line: Mapping[CartLineId, OrderLineId],
    *,
    delivery_amount: Money | None = None,
) -> list[dict[str, Any]]:
    """The selected groups' rows (``order_steps.groups_values``) with the plan's units.

    Each costs what its option costs; with ``delivery_amount`` (a marketplace charged
    the delivery once, for the whole order) the first costs that and the others zero.
    """
    rows: list[dict[str, Any]] = []
    for group in groups:
        option = group.selected
        if option is None:
            continue
        cost = option.cost
        if delivery_amount is not None:
            cost = delivery_amount if not rows else Money.zero(delivery_amount.currency)
        rows.append(
            {
                "method": option.method.value,
                "handle": option.handle,
                "title": option.title,
                "plugin": option.plugin,
                "location_id": option.location_id,
                "cost_minor": cost.minor_units,
                "estimated_at": _utc(option.estimated_at),
                "pay_at_pickup": option.pay_at_pickup,
                "lines": [
                    {
                        "order_line_id": order_line[sourced.line_id],
                        "location_id": sourced.location_id,
                        "quantity": sourced.quantity,
                    }
                    for sourced in planned.plan.lines
                    if sourced.group_id == group.id
                ],
            }
        )
    return rows


def _utc(at: datetime | None) -> datetime | None:
    # As the database gives it back: in UTC.
    return None if at is None else at.astimezone(UTC)
