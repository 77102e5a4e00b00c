"""Fulfilling an order from a location (issue 14): ``fulfilmentCreate``.

Staff ship units of an order's lines from a location: a warehouse, or a store where
ship-from-store is enabled. In one transaction, with the order row's version as the
guard (taken first, so two fulfilments of one order queue and each sees the other):
the units must be left unfulfilled on their lines and held by the order at that
location (its allocation there); a fulfilment (+ lines, tracking) is written; the
units leave on hand and the allocation together (``core.inventory.allocated``), logged
as movements naming the fulfilment; the status is derived (``core.orders.progress``)
and recorded in history; ``OrderFulfilled`` is recorded; the first fulfilment
captures the payment (``core.orders.capture``). Anything refused writes nothing.

A line may be split: across fulfilments, and across locations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import insert

from core.channels import queries as channel_queries
from core.channels.model import Channel, Location, LocationKind
from core.errors import DomainError, ErrorCode, Problem
from core.ids import FulfilmentId, LocationId, OrderId, OrderLineId, VariantId
from core.inventory.allocated import held_at, ship_held
from core.inventory.model import OwnerKind
from core.orders import writes
from core.orders.capture import CaptureMoment, capture_order_payment
from core.orders.events import OrderFulfilled
from core.orders.fulfilment_queries import (
    fulfilled_by_line,
    fulfilment_lines_table,
    fulfilments_by_order_ids,
    fulfilments_table,
    pickups_by_order_ids,
)
from core.orders.line_inputs import line_quantity_problems
from core.orders.model import (
    OPEN_STATUSES,
    Fulfilment,
    FulfilmentMethod,
    FulfilmentStatus,
    Order,
    OrderStatus,
    Tracking,
)
from core.orders.progress import derive_status, record_progress
from core.orders.queries import orders_by_ids
from core.uow import UnitOfWork
from core.validation import text_problems


@dataclass(frozen=True, slots=True)
class FulfilmentLineInput:
    order_line_id: OrderLineId
    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfilled:
    """The order after a fulfilment step, and the fulfilment it wrote."""

    order: Order
    fulfilment: Fulfilment


async def create_fulfilment(
    uow: UnitOfWork,
    *,
    order_id: OrderId,
    location_id: LocationId,
    lines: Sequence[FulfilmentLineInput],
    tracking: Tracking | None,
    actor: str,
) -> Fulfilled:
    """Ship ``lines`` of the order from the location (see the module docstring).

    Raises ``DomainError``: ``REQUIRED`` / ``INVALID`` (no lines, too many, tracking
    too long), ``INVALID_QUANTITY``, ``DUPLICATE``, ``ORDER_NOT_FOUND``,
    ``ORDER_STATUS_INVALID``, ``UNKNOWN_LOCATION``, ``SHIP_FROM_STORE_DISABLED``,
    ``UNKNOWN_ORDER_LINE``, ``QUANTITY_EXCEEDS_UNFULFILLED``, ``QUANTITY_NOT_ALLOCATED``
    (on ``lines.<i>.quantity``), ``PAYMENT_DECLINED``; ``PluginError`` from the provider.
    """
    problems = line_input_problems(lines) + _tracking_problems(tracking)
    if problems:
        raise DomainError(problems)
    async with uow:
        order, channel, location = await open_order_at(uow, order_id, location_id)
        if location.kind is LocationKind.STORE and not location.ship_from_store_enabled:
            raise DomainError.single(
                ErrorCode.SHIP_FROM_STORE_DISABLED,
                f"{location.name} does not ship orders (ship-from-store is off there)",
                "location_id",
            )
        units = await units_to_fulfil(uow, order, location_id, lines)
        fulfilment_id = await record_fulfilment(
            uow,
            order,
            location_id,
            units,
            method=FulfilmentMethod.SHIPPING,
            tracking=tracking,
            actor=actor,
        )
        version, status = await after_fulfilment(
            uow, order, actor=actor, note=f"Shipped from {location.name}"
        )
        uow.record(OrderFulfilled(order.id, fulfilment_id, location_id, status.value, version))
        await capture_order_payment(
            uow, order.id, channel, moment=CaptureMoment.FULFILMENT, actor=actor
        )
        result = await read_fulfilled(uow, order.id, fulfilment_id)
        await uow.commit()
    return result


def line_input_problems(lines: Sequence[FulfilmentLineInput]) -> list[Problem]:
    return line_quantity_problems(lines)


def _tracking_problems(tracking: Tracking | None) -> list[Problem]:
    if tracking is None:
        return []
    return [
        *text_problems(tracking.carrier, field="tracking.carrier", max_length=64, required=False),
        *text_problems(tracking.number, field="tracking.number", max_length=128, required=False),
        *text_problems(tracking.url, field="tracking.url", max_length=512, required=False),
    ]


async def open_order_at(
    uow: UnitOfWork, order_id: OrderId, location_id: LocationId
) -> tuple[Order, Channel, Location]:
    """The order (still open for fulfilment), its channel and the location; raises
    ``ORDER_NOT_FOUND``, ``ORDER_STATUS_INVALID``, ``UNKNOWN_LOCATION``."""
    found = await orders_by_ids(uow.session, [order_id])
    if not found:
        raise DomainError.single(ErrorCode.ORDER_NOT_FOUND, "No such order", "order_id")
    order = found[0]
    if order.status not in OPEN_STATUSES:
        raise DomainError.single(
            ErrorCode.ORDER_STATUS_INVALID,
            f"An order that is {order.status.value} is not fulfilled any more",
            "order_id",
        )
    connection = await uow.connection()
    locations = await channel_queries.locations_by_id(connection, [location_id])
    location = locations.get(location_id)
    if location is None:
        raise DomainError.single(ErrorCode.UNKNOWN_LOCATION, "No such location", "location_id")
    channels = await channel_queries.channels_by_id(connection, [order.channel_id])
    return order, channels[order.channel_id], location


async def units_to_fulfil(
    uow: UnitOfWork,
    order: Order,
    location_id: LocationId,
    lines: Sequence[FulfilmentLineInput],
) -> dict[OrderLineId, int]:
    """Check ``lines`` against the order: its own lines, left unfulfilled, held at the
    location; the units per line. Takes the order's version first (the guard that
    queues other fulfilment steps of the order behind this transaction)."""
    by_id = {line.id: line for line in order.lines}
    problems = [
        Problem(
            ErrorCode.UNKNOWN_ORDER_LINE, "The order has no such line", f"lines.{i}.order_line_id"
        )
        for i, line in enumerate(lines)
        if line.order_line_id not in by_id or by_id[line.order_line_id].variant_id is None
    ]
    if problems:
        raise DomainError(problems)
    await writes.move_order(uow, order.id, read_version=order.version, now=uow.clock.now())
    connection = await uow.connection()
    fulfilled = await fulfilled_by_line(connection, order.id)
    held = await held_at(uow, OwnerKind.ORDER, str(order.id))
    wanted: dict[VariantId, int] = defaultdict(int)
    for index, line in enumerate(lines):
        order_line = by_id[line.order_line_id]
        left = order_line.due_quantity - fulfilled.get(line.order_line_id, 0)
        if line.quantity > left:
            problems.append(
                Problem(
                    ErrorCode.QUANTITY_EXCEEDS_UNFULFILLED,
                    f"Only {left} of {order_line.due_quantity} are left to fulfil on this line",
                    f"lines.{index}.quantity",
                )
            )
            continue
        variant_id = VariantId(order_line.variant_id)  # type: ignore[arg-type]  # checked above
        wanted[variant_id] += line.quantity
        allocated = held.get((variant_id, location_id), 0)
        if wanted[variant_id] > allocated:
            problems.append(
                Problem(
                    ErrorCode.QUANTITY_NOT_ALLOCATED,
                    f"The order holds only {allocated} of these units at this location",
                    f"lines.{index}.quantity",
                )
            )
    if problems:
        raise DomainError(problems)
    return {line.order_line_id: line.quantity for line in lines}


async def record_fulfilment(
    uow: UnitOfWork,
    order: Order,
    location_id: LocationId,
    units: Mapping[OrderLineId, int],
    *,
    method: FulfilmentMethod,
    tracking: Tracking | None,
    actor: str,
) -> FulfilmentId:
    """Write the fulfilment and its lines, and take its units out of stock and out of
    the order's allocation at the location (movements naming the fulfilment)."""
    now = uow.clock.now()
    inserted = await uow.session.execute(
        insert(fulfilments_table)
        .values(
            order_id=order.id,
            location_id=location_id,
            method=method.value,
            status=(
                FulfilmentStatus.COLLECTED
                if method is FulfilmentMethod.PICKUP
                else FulfilmentStatus.SHIPPED
            ).value,
            tracking_carrier=tracking.carrier if tracking else None,
            tracking_number=tracking.number if tracking else None,
            tracking_url=tracking.url if tracking else None,
            actor=actor,
            created_at=now,
        )
        .returning(fulfilments_table.c.id)
    )
    fulfilment_id = FulfilmentId(inserted.scalar_one())
    await uow.session.execute(
        insert(fulfilment_lines_table),
        [
            {"fulfilment_id": fulfilment_id, "order_line_id": line_id, "quantity": quantity}
            for line_id, quantity in units.items()
        ],
    )
    variants = {line.id: line.variant_id for line in order.lines}
    by_key: dict[tuple[VariantId, LocationId], int] = defaultdict(int)
    for line_id, quantity in units.items():
        by_key[(VariantId(variants[line_id]), location_id)] += quantity  # type: ignore[arg-type]
    await ship_held(
        uow,
        owner_kind=OwnerKind.ORDER,
        owner_id=str(order.id),
        units=by_key,
        reason=f"Fulfilment {fulfilment_id} of order {order.number}",
        actor=actor,
    )
    return fulfilment_id


async def after_fulfilment(
    uow: UnitOfWork, order: Order, *, actor: str, note: str
) -> tuple[int, OrderStatus]:
    """Derive and record the status after a fulfilment step; the version and status."""
    status = await status_now(uow, order)
    version = await record_progress(
        uow, order, status, version=order.version + 1, actor=actor, note=note
    )
    return version, status


async def status_now(uow: UnitOfWork, order: Order) -> OrderStatus:
    """The order's status by ``derive_status`` over what its fulfilments and pickups
    hold now (``order``: its lines as they are in this transaction)."""
    connection = await uow.connection()
    fulfilled = await fulfilled_by_line(connection, order.id)
    fulfilments = (await fulfilments_by_order_ids(connection, [order.id])).get(order.id, [])
    pickups = (await pickups_by_order_ids(connection, [order.id])).get(order.id, [])
    return derive_status(
        order.status,
        order.lines,
        fulfilled,
        methods=frozenset(f.method for f in fulfilments),
        awaiting_pickup=any(p.collected_at is None for p in pickups),
    )


async def read_fulfilled(
    uow: UnitOfWork, order_id: OrderId, fulfilment_id: FulfilmentId
) -> Fulfilled:
    (order,) = await orders_by_ids(uow.session, [order_id])
    fulfilments = (await fulfilments_by_order_ids(await uow.connection(), [order_id]))[order_id]
    (fulfilment,) = [f for f in fulfilments if f.id == fulfilment_id]
    return Fulfilled(order, fulfilment)
