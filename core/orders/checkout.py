"""Checkout: a cart becomes an order exactly once (``complete_checkout``).

One transaction, with the cart row locked first (``FOR UPDATE`` on PostgreSQL, the
write lock on SQLite), so that checkouts and changes of one cart take turns:

1. **Replay.** The idempotency key (scoped to checkout, hashed) already made an order:
   that order is the answer (``replayed``), whoever asks again and however often; the
   same key for another cart, or with other arguments, is ``IDEMPOTENCY_KEY_REUSED``.
2. **Validate.** The cart is active (a completed cart is ``CART_NOT_ACTIVE``),
   unexpired, at ``expected_version``, has lines that are all sold in the channel, an
   email (the cart's, or the customer's), a selected option for every delivery group
   and a shipping address where one ships; the channel's checkout plugins find no
   problem (``CHECKOUT_BLOCKED``).
3. **Re-price** with the channel's plugins, delivery included.
4. **Allocate**: the cart's holds become the order's allocations at the locations of
   the fulfilment plan (``core.orders.allocation``), or ``INSUFFICIENT_STOCK``.
5. **Authorise** the payment with its provider (``core.payments``), the order number
   as reference. A decline is ``PAYMENT_DECLINED``.
6. **Write** the order with its price snapshots, delivery groups, payment and first
   history entries, and complete the cart; record ``OrderPlaced``, ``PaymentChanged``
   and ``CartChanged``; commit.

Any error rolls everything back: the cart keeps its lines and holds. When the commit
(or anything after the authorisation) fails, the authorisation is voided before the
error goes on. The payment is authorised while the cart and stock rows are locked:
a slow provider holds them that long, which is what makes "authorised" and "placed"
one fact.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from core.carts import pricing
from core.carts import queries as cart_queries
from core.carts import tokens as cart_tokens
from core.carts.idempotency import Operation, fingerprint
from core.carts.idempotency import key_digest as scoped_digest
from core.carts.inputs import (
    Caller,
    Guard,
    cart_not_active,
    cart_not_found,
    guard_problems,
    may_use,
    token_problems,
)
from core.carts.model import Cart, CartStatus
from core.carts.pricing import price_cart
from core.channels.model import Channel, Coordinates
from core.delivery import services as delivery
from core.delivery.groups import delivery_amount as groups_cost
from core.errors import DomainError, ErrorCode, Problem
from core.ids import OrderId
from core.keys import CART_SEAL
from core.orders import order_rows, writes
from core.orders.allocation import allocate
from core.orders.checkout_checks import (
    PaymentInput,
    cart_problems,
    payment_problems,
    pickup_only,
    plugin_problems,
)
from core.orders.checkout_commit import (
    CheckoutResult,
    Written,
    finish_checkout,
    void_quietly,
)
from core.orders.placement import OrderAmounts, plan_lines
from core.orders.placement import group_rows as placed_groups
from core.orders.placement import order_row as placement_row
from core.orders.queries import (
    adjustments_to_json,
    checkout_record,
    customer_email,
    orders_by_ids,
    sale_names,
)
from core.payments import services as payments
from core.payments.model import PaymentRequest, PaymentStatus
from core.uow import UnitOfWork

logger = logging.getLogger(__name__)


async def complete_checkout(
    uow: UnitOfWork,
    *,
    token: str,
    caller: Caller,
    idempotency_key: str,
    payment: PaymentInput,
    expected_version: int | None = None,
    near: Coordinates | None = None,
) -> CheckoutResult:
    """Place the order of the cart of ``token`` (see the module docstring).

    Raises ``DomainError`` (nothing written) or ``PluginError`` (``PLUGIN_FAILED``).
    """
    guard = Guard(expected_version=expected_version, idempotency_key=idempotency_key)
    problems = [*token_problems(token), *guard_problems(guard)]
    if not idempotency_key:
        problems.append(
            Problem(ErrorCode.REQUIRED, "Checkout needs an idempotency key", "idempotency_key")
        )
    if not payment.provider.strip():
        problems.append(
            Problem(ErrorCode.REQUIRED, "Choose a payment provider", "payment.provider")
        )
    if problems:
        raise DomainError(problems)
    seal_key = await uow.keys.key(CART_SEAL)
    key = scoped_digest("checkout", idempotency_key)
    async with uow:
        found = await cart_queries.cart_for_update(uow, cart_tokens.digest(token))
        if found is None or not cart_tokens.same_digest(found[0].cart_token_digest, token):
            raise cart_not_found()
        row, channel = found
        cart = cart_queries.cart_from_row(row, "cart_")
        if not may_use(cart, caller):
            raise cart_not_found()
        arguments = fingerprint(
            Operation.CHECKOUT,
            {
                "cart": cart.id,
                "provider": payment.provider,
                "data": dict(payment.data),
                "expected_version": expected_version,
            },
        )
        earlier = await checkout_record(uow, key)
        if earlier is not None:
            if earlier.cart_id != cart.id or earlier.checkout_fingerprint != arguments:
                raise DomainError.single(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "This idempotency key was used for another checkout",
                    "idempotency_key",
                )
            (order,) = await orders_by_ids(uow.session, [OrderId(earlier.id)])
            order_token = cart_tokens.unseal(earlier.sealed_token, earlier.token_digest, seal_key)
            assert order_token is not None  # sealed with this instance's key
            await uow.rollback()
            return CheckoutResult(order, order_token, replayed=True, channel=channel)
        if cart.status is CartStatus.ACTIVE and expected_version not in (None, cart.version):
            raise DomainError.single(
                ErrorCode.CART_VERSION_CONFLICT,
                f"The cart is at version {cart.version}, not {expected_version}",
                "expected_version",
            )
        result = await _place(uow, cart, channel, caller, key, arguments, payment, near, seal_key)
    return result


async def _place(
    uow: UnitOfWork,
    cart: Cart,
    channel: Channel,
    caller: Caller,
    key: str,
    arguments: str,
    payment: PaymentInput,
    near: Coordinates | None,
    seal_key: bytes,
) -> CheckoutResult:
    now = uow.clock.now()
    if cart.status is not CartStatus.ACTIVE:
        raise cart_not_active(cart.status)
    if cart.expires_at <= now:
        raise DomainError.single(ErrorCode.CART_EXPIRED, "This cart has expired", "token")
    lines, info = await cart_queries.lines_and_sale_info(uow, uow.dialect, cart.id, channel.id)
    cart = replace(cart, lines=tuple(lines))
    priced = await price_cart(uow.plugins, channel, cart, info)
    connection = await uow.reads()
    line_totals = pricing.line_totals(priced)
    # The stock the groups and the plan read: once, in this transaction.
    stock = await delivery.location_stock(connection, channel, cart, now=now)
    groups = await delivery.delivery_groups(
        connection,
        uow.plugins,
        channel,
        cart,
        now=now,
        line_totals=line_totals,
        near=near,
        stock=stock,
    )
    # A guest cart checked out by a logged-in customer is the customer's order.
    customer_id = cart.customer_id or caller.customer_id
    email = cart.email or await customer_email(uow, customer_id)
    problems = cart_problems(priced, groups, email)
    problems += await plugin_problems(uow.plugins, channel, cart, now=now, groups=groups)
    problems += payment_problems(uow.plugins, channel, payment, groups)
    if problems:
        raise DomainError(problems)
    selection = {group.id: group.selected.handle for group in groups if group.selected}
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
    delivery_amount = groups_cost(groups, channel.currency)
    total = priced.cost.total_amount + delivery_amount
    only_pickup = pickup_only(groups)
    order_row, order_token = placement_row(
        seal_key=seal_key,
        key_digest=key,
        fingerprint=arguments,
        cart_id=cart.id,
        channel=channel,
        customer_id=customer_id,
        email=email,
        amounts=OrderAmounts(
            payment_status=PaymentStatus.PENDING,
            currency=channel.currency,
            subtotal=priced.cost.subtotal_amount,
            delivery=delivery_amount,
            total=total,
            adjustments=adjustments_to_json(priced.cost.adjustments),
        ),
        shipping_address=cart.shipping_address,
        billing_address=cart.billing_address or cart.shipping_address,
        attributes=cart.attributes,
        now=now,
    )
    number = order_row["number"]
    order_id = await writes.insert_order(uow, order_row)
    names = await sale_names(connection, [line.variant_id for line in cart.lines])
    line_rows = order_rows.line_rows(priced, names)
    line_ids = await writes.insert_lines(uow, order_id, line_rows)
    order_line = dict(zip((line.id for line in cart.lines), line_ids, strict=True))
    await allocate(uow, channel, cart, order_id, planned.allocations())
    group_rows = placed_groups(groups, planned, order_line)
    authorization = await payments.authorize(
        uow.plugins,
        channel,
        PaymentRequest(
            provider=payment.provider,
            amount=total,
            reference=number,
            data=payment.data,
            email=email,
            pickup_only=only_pickup,
        ),
    )
    written = Written(
        {"id": order_id, **order_row},
        [{"id": line_id, **line} for line_id, line in zip(line_ids, line_rows, strict=True)],
        group_rows,
        {supplying.location.id: supplying.location for supplying in stock},
    )
    try:
        return await finish_checkout(
            uow, cart, channel, caller, written, authorization, now, order_token
        )
    except BaseException:
        await void_quietly(uow, channel, authorization)
        raise
