"""Click and collect (issue 14): ``orderReadyForPickup`` and ``orderPickupComplete``.

An order collected at a store has a delivery group whose option hands its lines over
there (pick-up, curbside). When the units wait at the store (the order holds them
there), staff mark the order ready: a short pickup code is issued, shown to the
order's owner only (``Order.pickups``), and the status becomes READY_FOR_PICKUP. At
the till the customer gives the code; a wrong one is ``PICKUP_CODE_INVALID`` and
changes nothing. A right one hands over every unit the order holds there for those
lines: a fulfilment of method PICKUP, taking them out of stock and the allocation
(``core.orders.fulfil.record_fulfilment``), the pickup marked collected, the status
derived, ``OrderPickedUp`` recorded, and the payment captured (pay-at-pickup orders
are paid here; others if their first fulfilment is this one).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import insert, update

from core.delivery.model import HANDED_OVER
from core.errors import DomainError, ErrorCode
from core.ids import LocationId, OrderId, OrderLineId, VariantId
from core.inventory.allocated import held_at
from core.inventory.model import OwnerKind
from core.keys import PICKUP_CODE_SEAL
from core.orders import pickup_codes, writes
from core.orders.capture import CaptureMoment, capture_order_payment
from core.orders.events import OrderPickedUp, OrderReadyForPickup
from core.orders.fulfil import (
    Fulfilled,
    after_fulfilment,
    open_order_at,
    read_fulfilled,
    record_fulfilment,
)
from core.orders.fulfilment_queries import fulfilled_by_line, pickup_record, pickups_table
from core.orders.model import FulfilmentMethod, Order
from core.orders.queries import orders_by_ids
from core.uow import UnitOfWork

MAX_CODE_LENGTH = 32


async def mark_ready_for_pickup(
    uow: UnitOfWork, *, order_id: OrderId, location_id: LocationId, actor: str
) -> Order:
    """Issue the order's pickup code at the location (see the module docstring).

    Raises ``DomainError``: ``ORDER_NOT_FOUND``, ``ORDER_STATUS_INVALID`` (also: ready
    there already), ``UNKNOWN_LOCATION``, ``NOT_A_PICKUP_LOCATION``, ``NOTHING_TO_PICK_UP``.
    """
    key = await uow.keys.key(PICKUP_CODE_SEAL)
    async with uow:
        order, _, location = await open_order_at(uow, order_id, location_id)
        line_ids = _collected_lines(order, location_id)
        connection = await uow.connection()
        if await pickup_record(connection, order.id, location_id) is not None:
            raise DomainError.single(
                ErrorCode.ORDER_STATUS_INVALID,
                f"The order is ready at {location.name} already",
                "location_id",
            )
        await writes.move_order(uow, order.id, read_version=order.version, now=uow.clock.now())
        if not await _units_here(uow, order, location_id, line_ids):
            raise DomainError.single(
                ErrorCode.NOTHING_TO_PICK_UP,
                f"The order holds nothing at {location.name} yet",
                "location_id",
            )
        code = pickup_codes.new_code()
        digest = pickup_codes.code_digest(code, order.id, key)
        await uow.session.execute(
            insert(pickups_table).values(
                order_id=order.id,
                location_id=location_id,
                code_digest=digest,
                sealed_code=pickup_codes.seal(code, digest, key),
                ready_at=uow.clock.now(),
            )
        )
        version, status = await after_fulfilment(
            uow, order, actor=actor, note=f"Ready for pickup at {location.name}"
        )
        uow.record(OrderReadyForPickup(order.id, location_id, status.value, version))
        (ready,) = await orders_by_ids(uow.session, [order.id])
        await uow.commit()
    return ready


async def complete_pickup(
    uow: UnitOfWork,
    *,
    order_id: OrderId,
    location_id: LocationId,
    pickup_code: str,
    actor: str,
) -> Fulfilled:
    """Hand the order's units over at the location (see the module docstring).

    Raises ``DomainError``: ``ORDER_NOT_FOUND``, ``ORDER_STATUS_INVALID`` (also:
    collected already), ``UNKNOWN_LOCATION``, ``NOT_A_PICKUP_LOCATION``,
    ``PICKUP_NOT_READY``, ``PICKUP_CODE_INVALID``, ``NOTHING_TO_PICK_UP``,
    ``PAYMENT_DECLINED``; ``PluginError`` from the provider.
    """
    key = await uow.keys.key(PICKUP_CODE_SEAL)
    async with uow:
        order, channel, location = await open_order_at(uow, order_id, location_id)
        line_ids = _collected_lines(order, location_id)
        pickup = await pickup_record(await uow.connection(), order.id, location_id)
        if pickup is None:
            raise DomainError.single(
                ErrorCode.PICKUP_NOT_READY,
                f"The order is not ready for pickup at {location.name}",
                "location_id",
            )
        if pickup.collected_at is not None:
            raise DomainError.single(
                ErrorCode.ORDER_STATUS_INVALID,
                "The order was collected there already",
                "location_id",
            )
        if len(pickup_code) > MAX_CODE_LENGTH or not pickup_codes.matches(
            pickup.code_digest, pickup_code, order.id, key
        ):
            raise DomainError.single(
                ErrorCode.PICKUP_CODE_INVALID, "This is not the order's pickup code", "pickup_code"
            )
        await writes.move_order(uow, order.id, read_version=order.version, now=uow.clock.now())
        units = await _units_here(uow, order, location_id, line_ids)
        if not units:
            raise DomainError.single(
                ErrorCode.NOTHING_TO_PICK_UP,
                f"The order holds nothing at {location.name}",
                "location_id",
            )
        fulfilment_id = await record_fulfilment(
            uow,
            order,
            location_id,
            units,
            method=FulfilmentMethod.PICKUP,
            tracking=None,
            actor=actor,
        )
        await uow.session.execute(
            update(pickups_table)
            .where(pickups_table.c.id == pickup.id, pickups_table.c.collected_at.is_(None))
            .values(collected_at=uow.clock.now(), fulfilment_id=fulfilment_id)
        )
        version, status = await after_fulfilment(
            uow, order, actor=actor, note=f"Collected at {location.name}"
        )
        uow.record(OrderPickedUp(order.id, fulfilment_id, location_id, status.value, version))
        await capture_order_payment(
            uow, order.id, channel, moment=CaptureMoment.PICKUP, actor=actor
        )
        result = await read_fulfilled(uow, order.id, fulfilment_id)
        await uow.commit()
    return result


def _collected_lines(order: Order, location_id: LocationId) -> list[OrderLineId]:
    """The order's lines handed over at the location; ``NOT_A_PICKUP_LOCATION`` if none."""
    line_ids = [
        units.order_line_id
        for group in order.delivery_groups
        if group.method in HANDED_OVER and group.location_id == location_id
        for units in group.lines
    ]
    if not line_ids:
        raise DomainError.single(
            ErrorCode.NOT_A_PICKUP_LOCATION,
            "The order is not collected at this location",
            "location_id",
        )
    return sorted(set(line_ids))


async def _units_here(
    uow: UnitOfWork, order: Order, location_id: LocationId, line_ids: list[OrderLineId]
) -> dict[OrderLineId, int]:
    """Per line: the units left unfulfilled that the order holds at the location."""
    fulfilled = await fulfilled_by_line(await uow.connection(), order.id)
    held = await held_at(uow, OwnerKind.ORDER, str(order.id))
    left_here: dict[VariantId, int] = defaultdict(int)
    for (variant_id, at), quantity in held.items():
        if at == location_id:
            left_here[variant_id] += quantity
    units: dict[OrderLineId, int] = {}
    lines = {line.id: line for line in order.lines}
    for line_id in line_ids:
        line = lines[line_id]
        if line.variant_id is None:
            continue
        take = min(line.due_quantity - fulfilled.get(line_id, 0), left_here[line.variant_id])
        if take > 0:
            units[line_id] = take
            left_here[line.variant_id] -= take
    return units
