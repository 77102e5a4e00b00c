"""The end of a checkout (``core.orders.checkout``): the order's last rows committed with
the outbox, the answer built from what was written, and the authorisation voided when
anything after it failed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from core.carts.events import CartChanged
from core.carts.inputs import Caller
from core.carts.model import Cart
from core.channels.model import Channel, Location, PaymentCapture
from core.db.chain import Chain, GuardFailed
from core.ids import CustomerId, LocationId, OrderId
from core.money import Money
from core.orders import order_steps
from core.orders.capture import CaptureMoment, capture_order_payment
from core.orders.events import OrderPlaced, PaymentChanged
from core.orders.locations import planned_location_ids
from core.orders.model import Order, OrderStatus
from core.orders.order_rows import payment_row
from core.orders.queries import order_from_rows, orders_by_ids
from core.payments import services as payments
from core.payments.model import Authorization, PaymentStatus, payment_status
from core.uow import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    order: Order
    order_token: str
    replayed: bool = False
    # The order's channel as checkout read it (with the cart), and the locations it read
    # for the delivery groups, so that the answer needs not read them again
    # (``core.orders.services.placed_order_view``).
    channel: Channel | None = None
    locations: Mapping[LocationId, Location] = field(default_factory=dict)


def actor_of(caller: Caller) -> str:
    return "guest" if caller.customer_id is None else f"customer:{caller.customer_id}"


@dataclass(frozen=True, slots=True)
class Written:
    """The order's rows as checkout wrote them (and writes them at the end)."""

    order: dict[str, Any]
    lines: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    locations: dict[LocationId, Location]


async def finish_checkout(
    uow: UnitOfWork,
    cart: Cart,
    channel: Channel,
    caller: Caller,
    written: Written,
    authorization: Authorization,
    now: datetime,
    order_token: str,
) -> CheckoutResult:
    """Write the rest of the order and commit: its delivery groups, payment, payment
    status, first history entry and the completed cart, with the outbox rows (one
    statement on PostgreSQL). The answer is the order as written, not read back."""
    order_id = OrderId(written.order["id"])
    zero = Money.zero(channel.currency)
    status = payment_status(authorization, captured=zero, refunded=zero, voided=False)
    payment = payment_row(authorization, status, now=now)
    actor, note = actor_of(caller), f"Placed in {channel.slug}"
    history: dict[str, Any] = {
        "at": now,
        "status": OrderStatus.PLACED.value,
        "payment_status": status.value,
        "actor": actor,
        "note": note,
    }
    steps = [
        order_steps.payment_step(),
        order_steps.history_step(),
        order_steps.complete_cart_step(),
    ]
    values = {
        **order_steps.payment_values(order_id, payment),
        **order_steps.history_values(
            order_id,
            at=now,
            status=OrderStatus.PLACED,
            payment_status=status,
            actor=actor,
            note=note,
        ),
        **order_steps.complete_cart_values(cart.id, read_version=cart.version, now=now),
    }
    if written.groups:
        steps.insert(0, order_steps.groups_step(len(written.groups)))
        values.update(order_steps.groups_values(order_id, written.groups))
    version = 1
    if status is not PaymentStatus.PENDING:
        version = 2
        steps.append(order_steps.move_step(status=False, payment_status=True))
        values.update(
            order_steps.move_values(order_id, read_version=1, now=now, payment_status=status)
        )
    uow.record(CartChanged(cart.id, cart.version + 1))
    customer_id = written.order["customer_id"]
    uow.record(
        OrderPlaced(
            order_id,
            channel.id,
            version,
            planned_location_ids(written.groups),
            customer_id=None if customer_id is None else CustomerId(customer_id),
        )
    )
    uow.record(PaymentChanged(order_id, status.value, version))
    chain = Chain(tuple(steps))
    if channel.payment_capture is PaymentCapture.AT_PLACEMENT:
        # Rare and not hot: write, capture (which reads the order), commit, read back.
        try:
            await uow.run(chain, values)
        except GuardFailed as failed:
            raise order_steps.guard_error(failed) from None
        await capture_order_payment(
            uow, order_id, channel, moment=CaptureMoment.PLACEMENT, actor=actor
        )
        (captured,) = await orders_by_ids(uow.session, [order_id])
        await uow.commit()
        return CheckoutResult(captured, order_token, channel=channel, locations=written.locations)
    try:
        await uow.commit(chain, values)
    except GuardFailed as failed:
        raise order_steps.guard_error(failed) from None
    order = order_from_rows(
        SimpleNamespace(**{**written.order, "payment_status": status.value, "version": version}),
        [SimpleNamespace(**line) for line in written.lines],
        [SimpleNamespace(**group) for group in written.groups],
        [SimpleNamespace(**payment)],
        [SimpleNamespace(**history)],
    )
    return CheckoutResult(order, order_token, channel=channel, locations=written.locations)


async def void_quietly(uow: UnitOfWork, channel: Channel, authorization: Authorization) -> None:
    """After a failure past the authorisation: void it, so the shopper is not charged
    for an order that does not exist. A failing void is logged (the provider's own
    authorisation expiry is the last resort)."""
    if authorization.outcome.value != "APPROVED":
        return
    try:
        await payments.void(uow.plugins, channel, authorization)
    except Exception:
        logger.exception(
            "voiding the authorisation of a failed checkout failed provider=%s reference=%s",
            authorization.provider,
            authorization.reference,
        )
