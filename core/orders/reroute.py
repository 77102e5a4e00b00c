"""Rerouting an order's allocation (issue 14, point 3): ``allocationReroute``.

When a location cannot fulfil units the order holds there (found missing on the
shelf), staff move them: the sourcing hook (``omnicart_source_lines``, or the built-in
plan of ``core.delivery.sourcing``) is asked where those units should come from now,
with the stock of the channel's other locations (the one given up excluded). Each
group is planned as the order's delivery group was, allowing a transfer (a pick-up
order's units may come from another location, to be sent to the store). If the plan
cannot place every unit, ``INSUFFICIENT_STOCK`` and nothing changes. Otherwise, in
one transaction guarded by the order's version: the allocation moves
(``core.inventory.allocated.move_held``), the delivery groups' plans name the new
locations, their estimates restart from now (the plan's lead time again, and at
least the transfer lead time when a pick-up store's units now come from elsewhere),
history records it and ``AllocationRerouted`` is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from core.carts.model import Cart, CartLine, CartStatus
from core.channels import queries as channel_queries
from core.channels.model import Channel
from core.delivery.model import (
    HANDED_OVER,
    DeliveryGroup,
    DeliveryMethod,
    DeliveryOption,
    FulfilmentPlan,
    LocationStock,
    SourcingContext,
)
from core.delivery.sourcing import default_plan
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartId, CartLineId, LocationId, OrderId, OrderLineId, VariantId
from core.inventory import queries as inventory_queries
from core.inventory.allocated import held_at, move_held
from core.inventory.model import OwnerKind
from core.inventory.pickup import TRANSFER_LEAD_TIME
from core.orders import writes
from core.orders.allocation import NEVER
from core.orders.events import AllocationRerouted
from core.orders.fulfil import FulfilmentLineInput, line_input_problems, open_order_at
from core.orders.model import Order, OrderDeliveryGroup
from core.orders.progress import record_progress
from core.orders.queries import order_groups_table, orders_by_ids
from core.uow import UnitOfWork


async def reroute_allocation(
    uow: UnitOfWork,
    *,
    order_id: OrderId,
    from_location_id: LocationId,
    lines: Sequence[FulfilmentLineInput],
    actor: str,
) -> Order:
    """Move the units of ``lines`` the order holds at ``from_location_id`` to the next
    locations by the sourcing hook (see the module docstring); the order after.

    Raises ``DomainError``: ``REQUIRED``, ``INVALID``, ``INVALID_QUANTITY``,
    ``DUPLICATE``, ``ORDER_NOT_FOUND``, ``ORDER_STATUS_INVALID``, ``UNKNOWN_LOCATION``,
    ``UNKNOWN_ORDER_LINE``, ``QUANTITY_NOT_ALLOCATED``, ``INSUFFICIENT_STOCK`` (on
    ``lines.<i>.quantity``); ``PluginError`` from the sourcing plugin.
    """
    problems = line_input_problems(lines)
    if problems:
        raise DomainError(problems)
    async with uow:
        order, channel, location = await open_order_at(uow, order_id, from_location_id)
        by_id = {line.id: line for line in order.lines}
        unknown = [
            Problem(
                ErrorCode.UNKNOWN_ORDER_LINE,
                "The order has no such line",
                f"lines.{index}.order_line_id",
            )
            for index, line in enumerate(lines)
            if line.order_line_id not in by_id or by_id[line.order_line_id].variant_id is None
        ]
        if unknown:
            raise DomainError(unknown)
        now = uow.clock.now()
        version = await writes.move_order(uow, order.id, read_version=order.version, now=now)
        held = await held_at(uow, OwnerKind.ORDER, str(order.id))
        variants = {line.order_line_id: _variant(order, line.order_line_id) for line in lines}
        wanted: dict[VariantId, int] = defaultdict(int)
        for index, line in enumerate(lines):
            variant_id = variants[line.order_line_id]
            wanted[variant_id] += line.quantity
            allocated = held.get((variant_id, from_location_id), 0)
            if wanted[variant_id] > allocated:
                problems.append(
                    Problem(
                        ErrorCode.QUANTITY_NOT_ALLOCATED,
                        f"The order holds only {allocated} of these units at {location.name}",
                        f"lines.{index}.quantity",
                    )
                )
        if problems:
            raise DomainError(problems)
        plan = await _plan(uow, channel, order, lines, variants, from_location_id, now)
        targets = _targets(plan, lines, from_location_id)
        for variant_id, to in sorted(_by_variant(targets, variants).items()):
            try:
                await move_held(
                    uow,
                    owner_kind=OwnerKind.ORDER,
                    owner_id=str(order.id),
                    variant_id=variant_id,
                    from_location_id=from_location_id,
                    to=sorted(to.items()),
                    expires_at=NEVER,
                )
            except DomainError:
                first = next(
                    index
                    for index, line in enumerate(lines)
                    if variants[line.order_line_id] == variant_id
                )
                raise _insufficient(lines, first) from None
        await _replan_groups(uow, order, targets, from_location_id, now)
        to_locations = tuple(sorted({at for moved in targets.values() for at in moved}))
        version = await record_progress(
            uow,
            order,
            order.status,
            version=version,
            actor=actor,
            note=f"Rerouted from {location.name}",
        )
        uow.record(AllocationRerouted(order.id, from_location_id, to_locations, version))
        (rerouted,) = await orders_by_ids(uow.session, [order.id])
        await uow.commit()
    return rerouted


def _variant(order: Order, line_id: OrderLineId) -> VariantId:
    for line in order.lines:
        if line.id == line_id and line.variant_id is not None:
            return line.variant_id
    raise KeyError(line_id)


async def _plan(
    uow: UnitOfWork,
    channel: Channel,
    order: Order,
    lines: Sequence[FulfilmentLineInput],
    variants: dict[OrderLineId, VariantId],
    from_location_id: LocationId,
    now: datetime,
) -> FulfilmentPlan:
    """Ask the sourcing hook (or the built-in plan) where the units should come from,
    the order's lines given as a cart's (line ids are the order line ids)."""
    cart = Cart(
        id=CartId(0),
        channel_id=order.channel_id,
        customer_id=order.customer_id,
        email=order.email,
        status=CartStatus.COMPLETED,
        merged_into_id=None,
        version=order.version,
        created_at=order.created_at,
        updated_at=now,
        expires_at=now,
        lines=tuple(
            CartLine(
                id=CartLineId(line.order_line_id),
                variant_id=variants[line.order_line_id],
                quantity=line.quantity,
                unit_price_when_added=None,
                created_at=order.created_at,
                updated_at=now,
            )
            for line in lines
        ),
    )
    groups: list[DeliveryGroup] = []
    for position, group in enumerate(order.delivery_groups, start=1):
        line_ids = tuple(
            CartLineId(line.order_line_id)
            for line in lines
            if any(units.order_line_id == line.order_line_id for units in group.lines)
        )
        if not line_ids:
            continue
        option = DeliveryOption(
            handle=group.handle,
            title=group.title,
            method=DeliveryMethod(group.method),
            cost=group.cost,
            estimated_at=group.estimated_at,
            location_id=group.location_id,
            plugin=group.plugin,
            pay_at_pickup=group.pay_at_pickup,
            transfer=True,
        )
        groups.append(DeliveryGroup(f"delivery-{position}", line_ids, (option,), option))
    stock = await _stock_elsewhere(
        uow, channel, sorted(set(variants.values())), from_location_id, now
    )
    selection = {group.id: group.selected.handle for group in groups if group.selected}
    context = SourcingContext(now=now, groups=tuple(groups), stock=stock)
    planned = await uow.plugins.source_lines(channel, cart, selection, context)
    return planned if planned is not None else default_plan(cart, groups, stock)


async def _stock_elsewhere(
    uow: UnitOfWork,
    channel: Channel,
    variant_ids: list[VariantId],
    from_location_id: LocationId,
    now: datetime,
) -> tuple[LocationStock, ...]:
    connection = await uow.connection()
    supply = await inventory_queries.available_in_channel(
        connection, channel_id=channel.id, variant_ids=variant_ids, now=now
    )
    priorities: dict[LocationId, int] = {}
    available: dict[LocationId, dict[VariantId, int]] = defaultdict(dict)
    for variant_id, found in supply.items():
        for at in found.locations:
            if at.location_id == from_location_id:
                continue
            priorities.setdefault(at.location_id, at.priority)
            available[at.location_id][variant_id] = at.available
    if not priorities:
        return ()
    locations = await channel_queries.locations_by_id(connection, list(priorities))
    return tuple(
        LocationStock(locations[location_id], priority, available[location_id])
        for location_id, priority in sorted(priorities.items(), key=lambda item: item[1])
        if location_id in locations
    )


def _targets(
    plan: FulfilmentPlan, lines: Sequence[FulfilmentLineInput], from_location_id: LocationId
) -> dict[OrderLineId, dict[LocationId, int]]:
    """Per line, where its units go; ``INSUFFICIENT_STOCK`` unless the plan places them
    all, elsewhere."""
    placed: dict[OrderLineId, dict[LocationId, int]] = defaultdict(lambda: defaultdict(int))
    for sourced in plan.lines:
        if sourced.location_id != from_location_id:
            placed[OrderLineId(sourced.line_id)][sourced.location_id] += sourced.quantity
    problems = []
    for index, line in enumerate(lines):
        if sum(placed[line.order_line_id].values()) < line.quantity:
            problems.append(_insufficient(lines, index).problems[0])
    if problems:
        raise DomainError(problems)
    return {line_id: dict(moved) for line_id, moved in placed.items()}


def _by_variant(
    targets: dict[OrderLineId, dict[LocationId, int]], variants: dict[OrderLineId, VariantId]
) -> dict[VariantId, dict[LocationId, int]]:
    by_variant: dict[VariantId, dict[LocationId, int]] = defaultdict(lambda: defaultdict(int))
    for line_id, moved in targets.items():
        for at, quantity in moved.items():
            by_variant[variants[line_id]][at] += quantity
    return by_variant


def _insufficient(lines: Sequence[FulfilmentLineInput], index: int) -> DomainError:
    return DomainError.single(
        ErrorCode.INSUFFICIENT_STOCK,
        "No other location can supply these units now",
        f"lines.{index}.quantity",
    )


async def _replan_groups(
    uow: UnitOfWork,
    order: Order,
    targets: dict[OrderLineId, dict[LocationId, int]],
    from_location_id: LocationId,
    now: datetime,
) -> None:
    """The delivery groups' plans name the new locations; their estimates restart."""
    rows = (
        await uow.session.execute(
            select(order_groups_table.c.id, order_groups_table.c.lines)
            .where(order_groups_table.c.order_id == order.id)
            .order_by(order_groups_table.c.id)
        )
    ).all()
    for row, group in zip(rows, order.delivery_groups, strict=True):
        plan: list[dict[str, Any]] = [dict(units) for units in row.lines]
        touched = False
        for line_id, moved in targets.items():
            if not any(units["order_line_id"] == line_id for units in plan):
                continue
            touched = True
            left = sum(moved.values())
            for units in plan:
                if (
                    left
                    and units["order_line_id"] == line_id
                    and units["location_id"] == from_location_id
                ):
                    taken = min(left, units["quantity"])
                    units["quantity"] -= taken
                    left -= taken
            plan = [units for units in plan if units["quantity"] > 0]
            plan += [
                {"order_line_id": line_id, "quantity": quantity, "location_id": at}
                for at, quantity in sorted(moved.items())
            ]
        if touched:
            await uow.session.execute(
                update(order_groups_table)
                .where(order_groups_table.c.id == row.id)
                .values(lines=plan, estimated_at=_estimate(order, group, targets, now))
            )


def _estimate(
    order: Order,
    group: OrderDeliveryGroup,
    targets: dict[OrderLineId, dict[LocationId, int]],
    now: datetime,
) -> datetime | None:
    if group.estimated_at is None:
        return None
    restarted = now + max(group.estimated_at - order.created_at, now - now)
    if group.method in HANDED_OVER and any(
        at != group.location_id for moved in targets.values() for at in moved
    ):
        restarted = max(restarted, now + TRANSFER_LEAD_TIME)
    return max(group.estimated_at, restarted)
