"""Receiving returns (issue 14): ``returnReceive``.

Receiving happens at the location where the goods arrive, of any channel: each
received unit is restocked there (back on hand) or written off, with a movement that
names the return (``core.inventory.returned``). No line receives more than it
returned (``RECEIVE_QUANTITY_EXCEEDED``): the order row is locked first, so receipts
of one order queue and read each other's counts, and each line's counters grow only
under the guard of ``core.orders.return_steps.receive_line``. A receipt moves the
order's version, appends a history entry and records ``ReturnReceived``; anything
refused writes nothing. Returns are made by ``core.orders.returns``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.channels import queries as channel_queries
from core.errors import DomainError, ErrorCode, Problem
from core.ids import (
    LocationId,
    ReturnId,
    ReturnLineId,
    VariantId,
)
from core.inventory.returned import ReceivedUnits, receive_returned
from core.orders import writes
from core.orders.line_inputs import MAX_LINES
from core.orders.model import Order
from core.orders.queries import orders_by_ids
from core.orders.return_events import ReturnReceived
from core.orders.return_model import Disposition, Return, return_status
from core.orders.return_queries import return_by_id
from core.orders.return_steps import (
    lock_order,
    receive_line,
    set_return_status,
)
from core.uow import UnitOfWork
from core.validation import text_problems

MAX_NOTE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class ReceiveLineInput:
    return_line_id: ReturnLineId
    quantity: int
    disposition: Disposition
    note: str = ""


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
            line.note, field=f"lines.{index}.note", max_length=MAX_NOTE_LENGTH, required=False
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
