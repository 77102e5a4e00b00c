"""Returns in any channel (issue 14): ``returnCreate`` and ``returnReceive``.

A return names units of an order's lines coming back, in a channel (a store's, for
goods bought online and brought to a till). Staff (``orders:manage``) make returns
of any order in any channel; the order's owner (their session, or a guest's order
token) online only, within the return window of the order's channel, counted from
when the units were shipped or collected (``RETURN_WINDOW_CLOSED`` after). No line
may return more than was fulfilled of it less what earlier returns named
(``RETURN_QUANTITY_EXCEEDED``).

A return moves the order's version, appends a history entry and records
``ReturnCreated``; anything refused writes nothing. Receiving is
``core.orders.return_receipts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.carts import tokens as cart_tokens
from core.channels import queries as channel_queries
from core.channels.model import Channel, ChannelKind
from core.errors import DomainError, ErrorCode, Problem
from core.ids import (
    CustomerId,
    OrderId,
    OrderLineId,
    ReturnId,
)
from core.orders import numbers, writes
from core.orders.fulfilment_queries import fulfilled_by_line, fulfilments_by_order_ids
from core.orders.line_inputs import MAX_LINES, line_quantity_problems
from core.orders.model import Order
from core.orders.queries import order_id_where, orders_by_ids
from core.orders.return_events import ReturnCreated
from core.orders.return_model import Return
from core.orders.return_queries import return_by_id, returned_by_line
from core.orders.return_steps import (
    insert_return,
    insert_return_lines,
    lock_order,
)
from core.uow import UnitOfWork
from core.validation import text_problems

MAX_REASON_LENGTH = 200


@dataclass(frozen=True, slots=True)
class ReturnLineInput:
    order_line_id: OrderLineId
    quantity: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asks for a return: staff (``staff_name``), or the order's owner (the
    customer of ``customer_id``, or the holder of the guest's ``order_token``)."""

    staff_name: str | None = None
    customer_id: CustomerId | None = None
    order_token: str | None = None

    @property
    def actor(self) -> str:
        if self.staff_name is not None:
            return f"staff:{self.staff_name}"
        return "guest" if self.customer_id is None else f"customer:{self.customer_id}"


async def create_return(
    uow: UnitOfWork,
    *,
    order_id: OrderId | None,
    lines: Sequence[ReturnLineInput],
    channel_slug: str | None,
    requester: Requester,
) -> Return:
    """Make a return of ``lines`` in the channel (the order's by default); see the
    module docstring. ``order_id`` may be left out when the requester holds the token.

    Raises ``DomainError``: ``REQUIRED``, ``INVALID``, ``INVALID_QUANTITY``,
    ``DUPLICATE``, ``ORDER_NOT_FOUND``, ``UNKNOWN_CHANNEL``, ``UNKNOWN_ORDER_LINE``,
    ``RETURN_QUANTITY_EXCEEDED`` and ``RETURN_WINDOW_CLOSED`` (on ``lines.<i>``).
    """
    problems = _return_line_problems(lines)
    if problems:
        raise DomainError(problems)
    async with uow:
        order = await _requested_order(uow, order_id, requester)
        channel = await _return_channel(uow, order, channel_slug, requester)
        connection = await uow.connection()
        await connection.execute(lock_order(), {"order_id": order.id})
        (order,) = await orders_by_ids(uow.session, [order.id])
        await _check_returnable(uow, order, lines, requester)
        now = uow.clock.now()
        version = await writes.move_order(uow, order.id, read_version=order.version, now=now)
        inserted = await connection.execute(
            insert_return(),
            {
                "order_id": order.id,
                "channel_id": channel.id,
                "status": "requested",
                "actor": requester.actor,
                "created_at": now,
                "updated_at": now,
            },
        )
        return_id = ReturnId(inserted.scalar_one())
        await connection.execute(
            insert_return_lines(),
            [
                {
                    "return_id": return_id,
                    "order_line_id": line.order_line_id,
                    "quantity": line.quantity,
                    "reason": line.reason.strip(),
                    "received": 0,
                    "restocked": 0,
                    "written_off": 0,
                }
                for line in lines
            ],
        )
        units = sum(line.quantity for line in lines)
        await writes.append_history(
            uow,
            order.id,
            at=now,
            status=order.status,
            payment_status=order.payment_status,
            actor=requester.actor,
            note=f"Return {return_id} of {units} unit(s) made in {channel.name}",
        )
        supply = await channel_queries.channel_locations_by_channel_id(connection, [channel.id])
        location_ids = tuple(sorted({link.location_id for link in supply[channel.id]}))
        uow.record(ReturnCreated(order.id, return_id, channel.id, location_ids, version))
        made = await return_by_id(connection, return_id)
        await uow.commit()
    assert made is not None  # written just above
    return made


def _return_line_problems(lines: Sequence[ReturnLineInput]) -> list[Problem]:
    problems = line_quantity_problems(lines)
    if not lines or len(lines) > MAX_LINES:
        return problems
    for index, line in enumerate(lines):
        problems += text_problems(
            line.reason,
            field=f"lines.{index}.reason",
            max_length=MAX_REASON_LENGTH,
            required=False,
        )
    return problems


async def _requested_order(
    uow: UnitOfWork, order_id: OrderId | None, requester: Requester
) -> Order:
    """The order, when the requester may return its goods; ``ORDER_NOT_FOUND`` for
    anybody else (never telling whether it exists)."""
    not_found = DomainError.single(ErrorCode.ORDER_NOT_FOUND, "No such order", "order_id")
    token = requester.order_token
    if token is not None and requester.staff_name is None:
        by_token = (
            await order_id_where(uow.session, token_digest=cart_tokens.digest(token))
            if numbers.looks_like_token(token)
            else None
        )
        if by_token is None or (order_id is not None and order_id != by_token):
            raise not_found
        order_id = by_token
    if order_id is None:
        raise DomainError.single(ErrorCode.REQUIRED, "Name the order", "order_id")
    found = await orders_by_ids(uow.session, [order_id])
    if not found:
        raise not_found
    order = found[0]
    owner = token is not None or (
        requester.customer_id is not None and order.customer_id == requester.customer_id
    )
    if requester.staff_name is None and not owner:
        raise not_found
    return order


async def _return_channel(
    uow: UnitOfWork, order: Order, slug: str | None, requester: Requester
) -> Channel:
    connection = await uow.connection()
    if slug is None:
        channels = await channel_queries.channels_by_id(connection, [order.channel_id])
        return channels[order.channel_id]
    channel = await channel_queries.channel_by_slug(connection, slug)
    if channel is None:
        raise DomainError.single(ErrorCode.UNKNOWN_CHANNEL, "No such channel", "channel")
    if requester.staff_name is None and channel.kind is ChannelKind.STORE:
        raise DomainError.single(
            ErrorCode.INVALID, "Returns at a store are made by its staff", "channel"
        )
    return channel


async def _check_returnable(
    uow: UnitOfWork, order: Order, lines: Sequence[ReturnLineInput], requester: Requester
) -> None:
    """Each line is the order's, within what was fulfilled less what was returned, and
    (for the customer) within the return window of the order's channel."""
    connection = await uow.connection()
    by_id = {line.id: line for line in order.lines}
    fulfilled = await fulfilled_by_line(connection, order.id)
    returned = await returned_by_line(connection, order.id)
    window: timedelta | None = None
    last_fulfilled: dict[OrderLineId, datetime] = {}
    if requester.staff_name is None:
        channels = await channel_queries.channels_by_id(connection, [order.channel_id])
        window = timedelta(days=channels[order.channel_id].return_window_days)
        fulfilments = (await fulfilments_by_order_ids(connection, [order.id])).get(order.id, [])
        for fulfilment in fulfilments:  # oldest first: the last one wins
            for units in fulfilment.lines:
                last_fulfilled[units.order_line_id] = fulfilment.created_at
    now = uow.clock.now()
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        if line.order_line_id not in by_id:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_ORDER_LINE,
                    "The order has no such line",
                    f"lines.{index}.order_line_id",
                )
            )
            continue
        left = fulfilled.get(line.order_line_id, 0) - returned.get(line.order_line_id, 0)
        if line.quantity > left:
            problems.append(
                Problem(
                    ErrorCode.RETURN_QUANTITY_EXCEEDED,
                    f"Only {left} unit(s) of this line were fulfilled and not yet returned",
                    f"lines.{index}.quantity",
                )
            )
            continue
        since = last_fulfilled.get(line.order_line_id)
        if window is not None and since is not None and now > since + window:
            problems.append(
                Problem(
                    ErrorCode.RETURN_WINDOW_CLOSED,
                    f"Returns are accepted for {window.days} days after delivery",
                    f"lines.{index}.order_line_id",
                )
            )
    if problems:
        raise DomainError(problems)
