"""Marketplace orders in (issue 15): an order placed on a marketplace becomes an order of
its marketplace channel (``import_marketplace_order``), exactly once.

One transaction, the way checkout places an order (``core.orders.checkout``), through
the same steps, with the marketplace's lines standing in for a cart's:

1. **Replay.** The channel already has an order with this ``external_id``: that order
   is the answer (``replayed``) and nothing is written, whatever the import says now
   (a marketplace sending a changed order under the same id gets the first one back;
   changes go through the order mutations). Concurrent imports of one id: the unique
   constraint on (channel, external_id) refuses the loser's insert (PostgreSQL waits
   for the winner's commit, SQLite's writers take turns), which then answers with the
   winner's order.
2. **Validate** everything before the first write: the channel is of kind
   marketplace, every SKU exists (``UNKNOWN_SKU``) and is sold in the channel
   (``NOT_SOLD_IN_CHANNEL``: published with a price there), quantities are positive,
   amounts are in the channel's currency and not negative, the email and shipping
   address are valid.
3. **Plan** with the channel's plugins as checkout does: delivery groups
   (``omnicart_delivery_options``; the marketplace's own option is selected) and the
   fulfilment plan (``omnicart_source_lines``, or the built-in default), or
   ``INSUFFICIENT_STOCK`` on the line.
4. **Write** the order with the marketplace's prices as given (no ``price_lines``
   hook) and its delivery amount, its lines, its allocations
   (``core.orders.allocation``), delivery groups, a payment CAPTURED in full (the
   marketplace collected it; provider ``marketplace:<channel slug>``) and its first
   history entry, with ``OrderPlaced`` and ``PaymentChanged``; commit.

Any problem refuses the whole import: nothing is written.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs; used for its exception class
from sqlalchemy.exc import IntegrityError

from core.carts import queries as cart_queries
from core.carts.address_checks import checked_address
from core.carts.idempotency import key_digest as scoped_digest
from core.carts.model import Cart, CartLine
from core.channels import queries as channel_queries
from core.channels.model import Channel, ChannelKind
from core.db.chain import Chain, GuardFailed
from core.delivery import services as delivery
from core.delivery.model import DeliveryGroup, DeliveryMethod
from core.errors import DomainError, ErrorCode, Problem
from core.ids import OrderId
from core.inventory.queries import variant_refs_by_sku
from core.keys import CART_SEAL
from core.money import Money, sum_money
from core.orders import order_steps, writes
from core.orders.allocation import allocate
from core.orders.events import OrderPlaced, PaymentChanged
from core.orders.import_checks import currency_problems, input_problems
from core.orders.import_model import ImportedOrder, MarketplaceOrder, MarketplaceOrderLine
from core.orders.locations import planned_location_ids
from core.orders.model import OrderStatus
from core.orders.placement import OrderAmounts, UnsavedLine, plan_lines, unsaved_cart
from core.orders.placement import group_rows as placed_groups
from core.orders.placement import order_row as placement_row
from core.orders.queries import checkout_record, sale_names
from core.payments.model import PaymentStatus
from core.uow import UnitOfWork
from core.validation import email_problems, normalise_email

logger = logging.getLogger(__name__)

# The order's insert met a concurrent import's (SQLAlchemy's wrapping, or asyncpg's own
# when the statement driver sent it).
_LOST_RACE = (IntegrityError, asyncpg.exceptions.UniqueViolationError)


def provider_of(channel: Channel) -> str:
    """The payment provider an imported order's payment is recorded under."""
    return f"marketplace:{channel.slug}"


async def import_marketplace_order(
    uow: UnitOfWork, *, channel_slug: str, order: MarketplaceOrder, actor: str
) -> ImportedOrder:
    """Import ``order`` into the marketplace channel ``channel_slug`` (see the module
    docstring); ``actor`` goes into the order's history ("staff:Alice", "plugin:x").

    Raises ``DomainError``: ``UNKNOWN_CHANNEL``, ``NOT_A_MARKETPLACE_CHANNEL``,
    ``REQUIRED``, ``INVALID``, ``TOO_MANY_LINES``, ``INVALID_QUANTITY``,
    ``NEGATIVE_PRICE``, ``CURRENCY_MISMATCH``, ``INVALID_EMAIL``, the address codes,
    ``UNKNOWN_SKU``, ``NOT_SOLD_IN_CHANNEL``, ``INSUFFICIENT_STOCK``; or ``PluginError``.
    """
    problems = input_problems(order)
    email = normalise_email(order.email)
    problems += email_problems(email)
    address, address_problems = checked_address(order.shipping_address, field="shipping_address")
    problems += address_problems
    seal_key = await uow.keys.key(CART_SEAL)
    try:
        async with uow:
            channel = await channel_queries.channel_by_slug(await uow.reads(), channel_slug)
            if channel is None:
                raise DomainError.single(
                    ErrorCode.UNKNOWN_CHANNEL, f"There is no channel {channel_slug!r}", "channel"
                )
            earlier = await _earlier(uow, channel, order.external_id)
            if earlier is not None:
                return earlier
            if channel.kind is not ChannelKind.MARKETPLACE:
                raise DomainError.single(
                    ErrorCode.NOT_A_MARKETPLACE_CHANNEL,
                    f"Channel {channel.slug!r} is not a marketplace channel",
                    "channel",
                )
            problems += currency_problems(order, channel.currency)
            if problems:
                raise DomainError(problems)
            cart = replace(
                await _stand_in_cart(uow, channel, order, email),
                shipping_address=address,
            )
            return await _place(uow, channel, order, cart, actor, seal_key)
    except _LOST_RACE:
        # The loser of two concurrent imports of one external id (see the module
        # docstring): the winner's order is the answer. Anything else is a bug.
        async with uow:
            found = await channel_queries.channel_by_slug(await uow.reads(), channel_slug)
            earlier = None if found is None else await _earlier(uow, found, order.external_id)
        if earlier is None:
            raise
        logger.info("marketplace import lost a race channel=%s", channel_slug)
        return earlier


def _key(channel: Channel, external_id: str) -> str:
    # The order's checkout key: unique, like the (channel, external_id) constraint.
    return scoped_digest("marketplace", f"{channel.id}\0{external_id}")


async def _earlier(uow: UnitOfWork, channel: Channel, external_id: str) -> ImportedOrder | None:
    found = await checkout_record(uow, _key(channel, external_id))
    if found is None:
        return None
    return ImportedOrder(OrderId(found.id), found.number, replayed=True)


async def _stand_in_cart(
    uow: UnitOfWork, channel: Channel, order: MarketplaceOrder, email: str
) -> Cart:
    """The order's lines as the lines of a cart that is never stored (``unsaved_cart``), so
    that delivery, sourcing and allocation read them as they read a checkout's; or
    ``UNKNOWN_SKU`` / ``NOT_SOLD_IN_CHANNEL`` on the lines' SKUs."""
    connection = await uow.reads()
    by_sku = await variant_refs_by_sku(connection, [line.sku for line in order.lines])
    sold = await cart_queries.sale_info(connection, channel.id, [ref.id for ref in by_sku.values()])
    problems: list[Problem] = []
    for index, line in enumerate(order.lines):
        ref = by_sku.get(line.sku)
        if ref is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_SKU, f"No variant has SKU {line.sku!r}", f"lines.{index}.sku"
                )
            )
        elif ref.id not in sold or sold[ref.id].base_price is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_SOLD_IN_CHANNEL,
                    f"SKU {line.sku!r} is not sold in channel {channel.slug!r}",
                    f"lines.{index}.sku",
                )
            )
    if problems:
        raise DomainError(problems)
    now = uow.clock.now()
    return unsaved_cart(
        channel,
        [UnsavedLine(by_sku[line.sku].id, line.quantity, line.unit_price) for line in order.lines],
        now=now,
        email=email,
    )


def _selection(groups: list[DeliveryGroup]) -> dict[str, str]:
    """The marketplace's own delivery option for each group that offers one."""
    chosen: dict[str, str] = {}
    for group in groups:
        for option in group.options:
            if option.method is DeliveryMethod.MARKETPLACE:
                chosen[group.id] = option.handle
                break
    return chosen


async def _place(
    uow: UnitOfWork,
    channel: Channel,
    order: MarketplaceOrder,
    cart: Cart,
    actor: str,
    seal_key: bytes,
) -> ImportedOrder:
    now = uow.clock.now()
    connection = await uow.reads()
    currency = channel.currency
    line_totals = {
        line.id: source.unit_price * line.quantity for line, source in _pairs(cart, order)
    }
    stock = await delivery.location_stock(connection, channel, cart, now=now)
    offered = await delivery.delivery_groups(
        connection, uow.plugins, channel, cart, now=now, line_totals=line_totals, stock=stock
    )
    selection = _selection(offered)
    groups = await delivery.delivery_groups(
        connection,
        uow.plugins,
        channel,
        cart,
        now=now,
        line_totals=line_totals,
        selection=selection,
        stock=stock,
    )
    planned = await plan_lines(
        connection,
        uow.plugins,
        channel,
        cart,
        selection,
        now=now,
        line_totals=line_totals,
        stock=stock,
    )
    subtotal = sum_money(line_totals.values(), currency)
    total = subtotal + order.delivery_amount
    key = _key(channel, order.external_id)
    order_row, _ = placement_row(
        seal_key=seal_key,
        key_digest=key,
        fingerprint=key,
        cart_id=None,
        channel=channel,
        customer_id=None,
        email=cart.email,
        amounts=OrderAmounts(
            payment_status=PaymentStatus.CAPTURED,
            currency=currency,
            subtotal=subtotal,
            delivery=order.delivery_amount,
            total=total,
            adjustments=[],
        ),
        shipping_address=cart.shipping_address,
        billing_address=cart.shipping_address,
        now=now,
        external_id=order.external_id,
        external_placed_at=order.placed_at,
    )
    order_id = await writes.insert_order(uow, order_row)
    names = await sale_names(connection, [line.variant_id for line in cart.lines])
    line_rows = [
        {
            "variant_id": line.variant_id,
            "sku": source.sku,
            "name": names.get(line.variant_id, source.sku),
            "quantity": line.quantity,
            "unit_price_minor": source.unit_price.minor_units,
            "total_minor": line_totals[line.id].minor_units,
            "currency": currency,
            "adjustments": [],
        }
        for line, source in _pairs(cart, order)
    ]
    line_ids = await writes.insert_lines(uow, order_id, line_rows)
    order_line = dict(zip((line.id for line in cart.lines), line_ids, strict=True))
    await allocate(uow, channel, cart, order_id, planned.allocations())
    groups_written = placed_groups(
        groups, planned, order_line, delivery_amount=order.delivery_amount
    )
    await _finish(uow, channel, order_id, total, groups_written, order.external_id, actor, now)
    return ImportedOrder(order_id, order_row["number"], replayed=False)


def _pairs(cart: Cart, order: MarketplaceOrder) -> list[tuple[CartLine, MarketplaceOrderLine]]:
    return list(zip(cart.lines, order.lines, strict=True))


async def _finish(
    uow: UnitOfWork,
    channel: Channel,
    order_id: OrderId,
    total: Money,
    group_rows: list[dict[str, Any]],
    external_id: str,
    actor: str,
    now: datetime,
) -> None:
    """The order's groups, captured payment and first history entry, with the outbox,
    in the commit (the steps checkout's commit runs, ``core.orders.order_steps``)."""
    payment = {
        "provider": provider_of(channel),
        "status": PaymentStatus.CAPTURED.value,
        "amount_minor": total.minor_units,
        "captured_minor": total.minor_units,
        "refunded_minor": 0,
        "currency": channel.currency,
        "reference": external_id,
        "created_at": now,
        "updated_at": now,
    }
    steps = [order_steps.payment_step(), order_steps.history_step()]
    values = {
        **order_steps.payment_values(order_id, payment),
        **order_steps.history_values(
            order_id,
            at=now,
            status=OrderStatus.PLACED,
            payment_status=PaymentStatus.CAPTURED,
            actor=actor,
            note=f"Imported from {channel.slug} (order {external_id})",
        ),
    }
    if group_rows:
        steps.insert(0, order_steps.groups_step(len(group_rows)))
        values.update(order_steps.groups_values(order_id, group_rows))
    # Imported orders belong to no customer of ours (their row's customer_id is None).
    uow.record(
        OrderPlaced(order_id, channel.id, 1, planned_location_ids(group_rows), customer_id=None)
    )
    uow.record(PaymentChanged(order_id, PaymentStatus.CAPTURED.value, 1))
    try:
        await uow.commit(Chain(tuple(steps)), values)
    except GuardFailed as failed:
        raise order_steps.guard_error(failed) from None
