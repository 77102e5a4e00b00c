"""Returns in any channel (issue 14): ``returnCreate`` and ``returnReceive``.

A return names units of an order's lines coming back, in a channel (a store's, for
goods bought online and brought to a till). Staff (``orders:manage``) make returns
of any order in any channel; the order's owner (their session, or a guest's order
token) online only, within the return window of the order's channel, counted from
when the units were shipped or collected (``RETURN_WINDOW_CLOSED`` after). No line
may return more than was fulfilled of it less what earlier returns named
(``RETURN_QUANTITY_EXCEEDED``).

Receiving happens at the location where the goods arrive, of any channel: each
received unit is restocked there (back on hand) or written off, with a movement that
names the return (``core.inventory.returned``). No line receives more than it
returned (``RECEIVE_QUANTITY_EXCEEDED``): the order row is locked first, so receipts
of one order queue and read each other's counts, and each line's counters grow only
under the guard of ``core.orders.return_steps.receive_line``.

Each step moves the order's version, appends a history entry and records
``ReturnCreated`` / ``ReturnReceived``. Anything refused writes nothing.
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
    LocationId,
    OrderId,
    OrderLineId,
    ReturnId,
    ReturnLineId,
    VariantId,
)
from core.inventory.returned import ReceivedUnits, receive_returned
from core.orders import numbers, writes
from core.orders.fulfilment_queries import fulfilled_by_line, fulfilments_by_order_ids
from core.orders.line_inputs import MAX_LINES, line_quantity_problems
from core.orders.model import Order
from core.orders.queries import order_id_where, orders_by_ids
from core.orders.return_events import ReturnCreated, ReturnReceived
from core.orders.return_model import Disposition, Return, return_status
from core.orders.return_queries import return_by_id, returned_by_line
from core.orders.return_steps import (
    insert_return,
    insert_return_lines,
    lock_order,
    receive_line,
    set_return_status,
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
class ReceiveLineInput:
    return_line_id: ReturnLineId
    quantity: int
    disposition: Disposition
    note: str = ""


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


async def receive_return(
    uow: UnitOfWork,
    *,
    return_id: ReturnId,
    location_id: LocationId,
    lines: Sequence[ReceiveLineInput],
    actor: str,
) -> Return:
    """Receive units of the return at the location (see the module docstring).

    Raises ``DomainError``: ``REQUIRED``, ``INVALID``, ``INVALID_QUANTITY``,
    ``DUPLICATE``, ``RETURN_NOT_FOUND``, ``UNKNOWN_LOCATION``, ``UNKNOWN_RETURN_LINE``,
    ``UNKNOWN_VARIANT`` (restocking a variant the catalog no longer has) and
    ``RECEIVE_QUANTITY_EXCEEDED`` (on ``lines.<i>``).
    """
    problems = _receive_line_problems(lines)
    if problems:
        raise DomainError(problems)
    async with uow:
        connection = await uow.connection()
        found = await return_by_id(connection, return_id)
        if found is None:
            raise DomainError.single(ErrorCode.RETURN_NOT_FOUND, "No such return", "return_id")
        locations = await channel_queries.locations_by_id(connection, [location_id])
        if location_id not in locations:
            raise DomainError.single(ErrorCode.UNKNOWN_LOCATION, "No such location", "location_id")
        location = locations[location_id]
        # Locked first: receipts of the order queue here, then read each other's counts.
        await connection.execute(lock_order(), {"order_id": found.order_id})
        returned = await return_by_id(connection, return_id)
        assert returned is not None  # a return is deleted only with its order
        (order,) = await orders_by_ids(uow.session, [returned.order_id])
        received = _received_units(order, returned, lines)
        for index, line in enumerate(lines):
            restocked = line.quantity if line.disposition is Disposition.RESTOCK else 0
            grown = await connection.execute(
                receive_line(),
                {
                    "r_line_id": line.return_line_id,
                    "r_return_id": return_id,
                    "r_received": line.quantity,
                    "r_restocked": restocked,
                    "r_written_off": line.quantity - restocked,
                },
            )
            if grown.scalar_one_or_none() is None:  # the lock makes this a belt and braces
                raise _exceeded(index, 0)
        reference = f"Return {return_id} of order {order.number} received at {location.name}"
        await receive_returned(
            uow,
            location_id=location_id,
            received=[
                ReceivedUnits(variant_id, restocked, written_off, _reason(reference, note))
                for variant_id, restocked, written_off, note in received
            ],
            actor=actor,
        )
        after = await return_by_id(connection, return_id)
        assert after is not None
        status = return_status(after.lines)
        now = uow.clock.now()
        await connection.execute(
            set_return_status(),
            {
                "r_return_id": return_id,
                "r_status": status.value,
                "r_location_id": location_id,
                "r_now": now,
            },
        )
        version = await writes.move_order(uow, order.id, read_version=order.version, now=now)
        units = sum(line.quantity for line in lines)
        await writes.append_history(
            uow,
            order.id,
            at=now,
            status=order.status,
            payment_status=order.payment_status,
            actor=actor,
            note=f"Return {return_id}: {units} unit(s) received at {location.name}",
        )
        uow.record(ReturnReceived(order.id, return_id, location_id, status.value, version))
        done = await return_by_id(connection, return_id)
        await uow.commit()
    assert done is not None
    return done


def _receive_line_problems(lines: Sequence[ReceiveLineInput]) -> list[Problem]:
    if not lines:
        return [Problem(ErrorCode.REQUIRED, "Name at least one line", "lines")]
    if len(lines) > MAX_LINES:
        return [Problem(ErrorCode.INVALID, f"At most {MAX_LINES} lines at once", "lines")]
    problems: list[Problem] = []
    seen: set[ReturnLineId] = set()
    for index, line in enumerate(lines):
        if line.quantity <= 0:
            problems.append(
                Problem(
                    ErrorCode.INVALID_QUANTITY,
                    "The quantity must be above zero",
                    f"lines.{index}.quantity",
                )
            )
        if line.return_line_id in seen:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE,
                    "Each return line is named once",
                    f"lines.{index}.return_line_id",
                )
            )
        seen.add(line.return_line_id)
        problems += text_problems(
            line.note, field=f"lines.{index}.note", max_length=MAX_REASON_LENGTH, required=False
        )
    return problems


def _received_units(
    order: Order, returned: Return, lines: Sequence[ReceiveLineInput]
) -> list[tuple[VariantId, int, int, str]]:
    """Per input line: the variant, units restocked, units written off and the note;
    refuses unknown lines and more than is left to receive."""
    by_id = {line.id: line for line in returned.lines}
    variants = {line.id: line.variant_id for line in order.lines}
    problems: list[Problem] = []
    received: list[tuple[VariantId, int, int, str]] = []
    for index, line in enumerate(lines):
        return_line = by_id.get(line.return_line_id)
        if return_line is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_RETURN_LINE,
                    "The return has no such line",
                    f"lines.{index}.return_line_id",
                )
            )
            continue
        left = return_line.quantity - return_line.received
        if line.quantity > left:
            problems.append(_exceeded(index, left).problems[0])
            continue
        variant_id = variants.get(return_line.order_line_id)
        if variant_id is None:  # the catalog deleted the variant sold
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_VARIANT,
                    "The catalog no longer has this variant; nothing can be received of it",
                    f"lines.{index}.return_line_id",
                )
            )
            continue
        restocked = line.quantity if line.disposition is Disposition.RESTOCK else 0
        received.append(
            (VariantId(variant_id), restocked, line.quantity - restocked, line.note.strip())
        )
    if problems:
        raise DomainError(problems)
    return received


def _exceeded(index: int, left: int) -> DomainError:
    return DomainError.single(
        ErrorCode.RECEIVE_QUANTITY_EXCEEDED,
        f"Only {left} unit(s) of this return line are left to receive",
        f"lines.{index}.quantity",
    )


def _reason(reference: str, note: str) -> str:
    return f"{reference}: {note}" if note else reference
