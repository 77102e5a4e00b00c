"""The store till (issue 15): ``pos_checkout``, a sale made at a store's till.

One transaction, all or nothing:

1. **Replay.** The idempotency key (scoped to the till, hashed, stored on the order
   like checkout's) already made an order: that order is the answer (``replayed``);
   the same key with other arguments is ``IDEMPOTENCY_KEY_REUSED``.
2. **Check.** The location is a store supplying a channel of kind store
   (``NOT_A_STORE``); the lines name variants sold there; the shopper named by
   ``customer`` exists (``core.customers.lookup``, ``CUSTOMER_NOT_FOUND``); the channel
   accepts the payment provider.
3. **Price** the lines as a cart in the store channel, with the till's attributes
   (``core.carts.pricing.price_cart``), ask the plugins what blocks the sale
   (``omnicart_checkout_validate``, ``CHECKOUT_BLOCKED``), and **plan** what the
   store hands over and what is delivered from the channel's other locations
   (``core.orders.till_plan``).
4. **Write** the order (the order write steps of checkout), its lines and delivery
   groups, and **allocate** its units (``core.orders.allocation``); **authorise** the
   payment with its provider (``PAYMENT_DECLINED``, ``CASH_TENDERED_SHORT``).
5. **Hand over** what the store has: a fulfilment of method PICKUP at the store
   (``core.orders.fulfil.record_fulfilment``: the units leave on hand with a movement
   naming the fulfilment), the status derived (COMPLETED when everything was handed
   over), ``OrderPickedUp``; **capture** the payment at once; commit.

Anything refused rolls everything back; an authorisation made before a later failure
is voided (``core.orders.checkout_commit.void_quietly``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.carts.address_checks import MailingAddressInput, checked_address
from core.carts.addresses import MailingAddress
from core.carts.idempotency import Operation, fingerprint
from core.carts.idempotency import key_digest as scoped_digest
from core.carts.inputs import DEFAULT_LIMITS, LineInput, line_problems, line_quantity_problems
from core.carts.pricing import price_cart
from core.carts.queries import sale_info
from core.channels.model import Channel, Location
from core.customers.lookup import CustomerRef, resolve_customer
from core.delivery.model import DeliveryMethod
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartLineId, CustomerId, LocationId, OrderId, OrderLineId
from core.keys import CART_SEAL
from core.money import Money
from core.orders import order_rows, placement, writes
from core.orders.allocation import allocate_without_cart
from core.orders.capture import CaptureMoment, capture_order_payment
from core.orders.checkout_checks import PaymentInput, plugin_problems
from core.orders.checkout_commit import void_quietly
from core.orders.events import OrderPickedUp, OrderPlaced, PaymentChanged
from core.orders.fulfil import after_fulfilment, record_fulfilment
from core.orders.locations import planned_location_ids
from core.orders.model import FulfilmentMethod, Order, OrderStatus
from core.orders.placement import OrderAmounts
from core.orders.queries import adjustments_to_json, checkout_record, orders_by_ids, sale_names
from core.orders.till_plan import TillPlan, allocations, basket, plan_sale, store_channel
from core.payments import services as payments
from core.payments.model import Authorization, PaymentRequest, PaymentStatus, payment_status
from core.uow import UnitOfWork

IDEMPOTENCY_SCOPE = "pos"


@dataclass(frozen=True, slots=True)
class TillDelivery:
    """Endless aisle: where the units the store does not have go, and optionally the
    home delivery option's handle (else the cheapest)."""

    address: MailingAddressInput
    option_handle: str | None = None


@dataclass(frozen=True, slots=True)
class TillSale:
    """The order a till sale made; ``change``: cash to hand back (``cash`` only, not on
    a replay)."""

    order: Order
    channel: Channel
    change: Money | None = None
    replayed: bool = False


async def pos_checkout(
    uow: UnitOfWork,
    *,
    location_id: LocationId,
    lines: Sequence[LineInput],
    payment: PaymentInput,
    idempotency_key: str,
    actor: str,
    customer: CustomerRef | None = None,
    delivery: TillDelivery | None = None,
    attributes: Mapping[str, str] | None = None,
) -> TillSale:
    """Sell ``lines`` at the store ``location_id`` (see the module docstring).

    Raises ``DomainError`` (nothing written) or ``PluginError`` (``PLUGIN_FAILED``).
    """
    problems = line_quantity_problems(lines, DEFAULT_LIMITS, zero=False)
    if not idempotency_key:
        problems.append(Problem(ErrorCode.REQUIRED, "Give an idempotency key", "idempotency_key"))
    if not payment.provider.strip():
        problems.append(
            Problem(ErrorCode.REQUIRED, "Choose a payment provider", "payment.provider")
        )
    address: MailingAddress | None = None
    if delivery is not None:
        address, found = checked_address(delivery.address, field="delivery.address")
        problems += found
    if problems:
        raise DomainError(problems)
    attributes = dict(attributes or {})
    arguments = fingerprint(
        Operation.POS_CHECKOUT,
        {
            "location": location_id,
            "lines": [[line.variant_id, line.quantity] for line in lines],
            "provider": payment.provider,
            "data": dict(payment.data),
            "customer": None if customer is None else [customer.customer_id, customer.identifier],
            "address": None if address is None else address.to_json(),
            "option": None if delivery is None else delivery.option_handle,
            "attributes": attributes,
        },
    )
    request = _Request(
        location_id=location_id,
        lines=tuple(lines),
        payment=payment,
        actor=actor,
        customer=customer,
        address=address,
        option_handle=None if delivery is None else delivery.option_handle,
        attributes=attributes,
        key=scoped_digest(IDEMPOTENCY_SCOPE, idempotency_key),
        arguments=arguments,
        seal_key=await uow.keys.key(CART_SEAL),
    )
    try:
        return await _sell(uow, request)
    except Exception as error:
        if not lost_key_race(error):
            raise
    # Another request with this key made its order meanwhile (the key's unique index
    # held this one until it committed): the sale is answered as a replay of it.
    return await _sell(uow, request)


@dataclass(frozen=True, slots=True)
class _Request:
    """A sale's checked input, with its idempotency key digest and fingerprint."""

    location_id: LocationId
    lines: tuple[LineInput, ...]
    payment: PaymentInput
    actor: str
    customer: CustomerRef | None
    address: MailingAddress | None
    option_handle: str | None
    attributes: dict[str, str]
    key: str
    arguments: str
    seal_key: bytes


def lost_key_race(error: BaseException) -> bool:
    """Whether ``error`` is the unique index on the orders' idempotency key refusing a
    second order for one key (PostgreSQL names the index, SQLite the column)."""
    return "checkout_key_digest" in str(getattr(error, "orig", error))


async def _sell(uow: UnitOfWork, request: _Request) -> TillSale:
    async with uow:
        connection = await uow.connection()
        store, channel = await store_channel(connection, request.location_id)
        earlier = await checkout_record(uow, request.key)
        if earlier is not None:
            if earlier.checkout_fingerprint != request.arguments:
                raise DomainError.single(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "This idempotency key was used for another sale",
                    "idempotency_key",
                )
            (order,) = await orders_by_ids(uow.session, [OrderId(earlier.id)])
            await uow.rollback()
            return TillSale(order, channel, replayed=True)
        shopper = None
        if request.customer is not None:
            shopper = await resolve_customer(connection, uow.plugins, channel, request.customer)
        customer_id = None if shopper is None else shopper.id
        info = await sale_info(connection, channel.id, [line.variant_id for line in request.lines])
        problems = line_problems(request.lines, info)
        problems += payments.provider_problems(
            uow.plugins, channel, request.payment.provider, pickup_only=request.address is None
        )
        if problems:
            raise DomainError(problems)
        now = uow.clock.now()
        sold = basket(
            channel,
            request.lines,
            customer_id=customer_id,
            email="" if shopper is None else shopper.email,
            address=request.address,
            now=now,
            attributes=request.attributes,
        )
        priced = await price_cart(uow.plugins, channel, sold, info)
        # The plugins may refuse the sale as they refuse a checkout (a loyalty plugin:
        # more points asked than the shopper has).
        blocked = await plugin_problems(uow.plugins, channel, sold, now=now, field=None)
        if blocked:
            raise DomainError(blocked)
        plan = await plan_sale(
            connection,
            uow.plugins,
            priced,
            store,
            now=now,
            option_handle=request.option_handle,
        )
        zero = Money.zero(channel.currency)
        total = priced.cost.total_amount + (plan.delivery_amount or zero)
        order_row, _token = placement.order_row(
            seal_key=request.seal_key,
            key_digest=request.key,
            fingerprint=request.arguments,
            cart_id=None,
            channel=channel,
            customer_id=customer_id,
            email="" if shopper is None else shopper.email,
            amounts=OrderAmounts(
                payment_status=PaymentStatus.PENDING,
                currency=channel.currency,
                subtotal=priced.cost.subtotal_amount,
                delivery=plan.delivery_amount or zero,
                total=total,
                adjustments=adjustments_to_json(priced.cost.adjustments),
            ),
            shipping_address=request.address,
            billing_address=request.address,
            attributes=sold.attributes,
            now=now,
        )
        number = order_row["number"]
        order_id = await writes.insert_order(uow, order_row)
        names = await sale_names(connection, [line.variant_id for line in sold.lines])
        line_ids = await writes.insert_lines(uow, order_id, order_rows.line_rows(priced, names))
        order_line = dict(zip((line.id for line in sold.lines), line_ids, strict=True))
        variants = {line.id: line.variant_id for line in sold.lines}
        await allocate_without_cart(uow, channel, order_id, allocations(plan, store.id, variants))
        groups = _group_rows(plan, store, order_line, now)
        await writes.insert_groups(uow, order_id, groups)
        authorization = await payments.authorize(
            uow.plugins,
            channel,
            PaymentRequest(
                provider=request.payment.provider,
                amount=total,
                reference=number,
                data=request.payment.data,
                email=order_row["email"] or None,
                pickup_only=plan.shipment is None,
            ),
        )
        try:
            order = await _pay_and_hand_over(
                uow,
                channel,
                store,
                order_id,
                groups,
                authorization,
                request.actor,
                plan,
                order_line,
                customer_id=customer_id,
            )
            await uow.commit()
        except BaseException:
            await void_quietly(uow, channel, authorization)
            raise
    return TillSale(order, channel, change=authorization.change)


def _group_rows(
    plan: TillPlan, store: Location, order_line: Mapping[CartLineId, OrderLineId], now: datetime
) -> list[dict[str, Any]]:
    """The order's delivery groups: the hand-over at the store, then the delivery."""
    rows: list[dict[str, Any]] = []
    if plan.handed_over:
        rows.append(
            {
                "method": DeliveryMethod.PICKUP.value,
                "handle": f"till:{store.slug}",
                "title": f"Handed over at the till in {store.name}",
                "plugin": "",
                "location_id": store.id,
                "cost_minor": 0,
                "estimated_at": now,
                "pay_at_pickup": False,
                "lines": [
                    {
                        "order_line_id": order_line[line_id],
                        "location_id": store.id,
                        "quantity": quantity,
                    }
                    for line_id, quantity in plan.handed_over.items()
                ],
            }
        )
    if plan.shipment is not None:
        option = plan.shipment.option
        rows.append(
            {
                "method": option.method.value,
                "handle": option.handle,
                "title": option.title,
                "plugin": option.plugin,
                "location_id": option.location_id,
                "cost_minor": option.cost.minor_units,
                "estimated_at": option.estimated_at,
                "pay_at_pickup": False,
                "lines": [
                    {
                        "order_line_id": order_line[sourced.line_id],
                        "location_id": sourced.location_id,
                        "quantity": sourced.quantity,
                    }
                    for sourced in plan.shipment.lines
                ],
            }
        )
    return rows


async def _pay_and_hand_over(
    uow: UnitOfWork,
    channel: Channel,
    store: Location,
    order_id: OrderId,
    groups: list[dict[str, Any]],
    authorization: Authorization,
    actor: str,
    plan: TillPlan,
    order_line: Mapping[CartLineId, OrderLineId],
    *,
    customer_id: CustomerId | None,
) -> Order:
    """Store the authorisation, hand the store's units over, capture; the order after."""
    now = uow.clock.now()
    zero = Money.zero(channel.currency)
    status = payment_status(authorization, captured=zero, refunded=zero, voided=False)
    await writes.insert_payment(
        uow, order_id, order_rows.payment_row(authorization, status, now=now)
    )
    await writes.append_history(
        uow,
        order_id,
        at=now,
        status=OrderStatus.PLACED,
        payment_status=status,
        actor=actor,
        note=f"Sold at the till in {store.name}",
    )
    version = await writes.move_order(uow, order_id, read_version=1, now=now, payment_status=status)
    uow.record(
        OrderPlaced(
            order_id, channel.id, version, planned_location_ids(groups), customer_id=customer_id
        )
    )
    uow.record(PaymentChanged(order_id, status.value, version))
    if plan.handed_over:
        (order,) = await orders_by_ids(uow.session, [order_id])
        await writes.move_order(uow, order.id, read_version=order.version, now=now)
        units = {order_line[line_id]: quantity for line_id, quantity in plan.handed_over.items()}
        fulfilment_id = await record_fulfilment(
            uow, order, store.id, units, method=FulfilmentMethod.PICKUP, tracking=None, actor=actor
        )
        version, derived = await after_fulfilment(
            uow, order, actor=actor, note=f"Handed over at the till in {store.name}"
        )
        uow.record(OrderPickedUp(order.id, fulfilment_id, store.id, derived.value, version))
    await capture_order_payment(uow, order_id, channel, moment=CaptureMoment.TILL, actor=actor)
    (order,) = await orders_by_ids(uow.session, [order_id])
    return order
