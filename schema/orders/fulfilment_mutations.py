"""Store and warehouse mutations on orders (issue 14, scope ``orders:manage``):
``fulfilmentCreate``, ``orderReadyForPickup``, ``orderPickupComplete`` and
``allocationReroute``. Each names a location; a location-scoped token may act only at
its own (``FORBIDDEN`` otherwise, before anything is read or written)."""

from __future__ import annotations

import strawberry

from core.errors import DomainError, Problem
from core.ids import LocationId, OrderId, OrderLineId
from core.orders import services
from core.orders.model import Tracking
from core.staff.model import StaffPrincipal
from schema.context import Context
from schema.errors import UserError, user_errors
from schema.orders.types import Fulfilment, Order
from schema.permissions import CanManageOrders, staff_acting_at
from schema.relay import from_global_id

Info = strawberry.Info[Context, None]

_LINE_CODES = (
    "REQUIRED, INVALID, INVALID_ID, INVALID_QUANTITY, DUPLICATE, ORDER_NOT_FOUND, "
    "ORDER_STATUS_INVALID, UNKNOWN_LOCATION, UNKNOWN_ORDER_LINE, QUANTITY_NOT_ALLOCATED"
)


@strawberry.input(description="Units of one order line.")
class OrderLineQuantityInput:
    order_line_id: strawberry.ID
    quantity: int


@strawberry.input(description="The carrier's tracking of a shipment; every field optional.")
class FulfilmentTrackingInput:
    carrier: str = ""
    number: str = ""
    url: str = ""


@strawberry.type
class FulfilmentCreatePayload:
    order: Order | None = None
    fulfilment: Fulfilment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderReadyForPickupPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderPickupCompletePayload:
    order: Order | None = None
    fulfilment: Fulfilment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AllocationReroutePayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def parse_lines(lines: list[OrderLineQuantityInput]) -> list[services.FulfilmentLineInput]:
    parsed: list[services.FulfilmentLineInput] = []
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        try:
            _, key = from_global_id(
                line.order_line_id, "OrderLine", field=f"lines.{index}.order_line_id"
            )
        except DomainError as error:
            problems += error.problems
            continue
        parsed.append(services.FulfilmentLineInput(OrderLineId(key), line.quantity))
    if problems:
        raise DomainError(problems)
    return parsed


def _ids(
    order_id: strawberry.ID, location_id: strawberry.ID, field: str
) -> tuple[OrderId, LocationId]:
    problems: list[Problem] = []
    keys: list[int] = []
    for raw, type_name, name in ((order_id, "Order", "order_id"), (location_id, "Location", field)):
        try:
            keys.append(from_global_id(raw, type_name, field=name)[1])
        except DomainError as error:
            problems += error.problems
    if problems:
        raise DomainError(problems)
    return OrderId(keys[0]), LocationId(keys[1])


async def _order(info: Info, order_id: OrderId) -> Order | None:
    view = await services.staff_order(info.context.runtime.uow(), order_id)
    return None if view is None else Order.from_view(view)


def _actor(principal: StaffPrincipal) -> str:
    return f"staff:{principal.staff_name}"


@strawberry.type
class FulfilmentMutation:
    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="Ship units of the order from a location (a warehouse, or a store "
        "with ship-from-store enabled): they leave its stock and the order's allocation "
        "there; the first fulfilment captures the payment. Needs orders:manage (and, for "
        "a location-scoped token, that location). Errors: "
        f"{_LINE_CODES}, QUANTITY_EXCEEDS_UNFULFILLED, SHIP_FROM_STORE_DISABLED, "
        "PAYMENT_DECLINED, PLUGIN_FAILED.",
    )
    async def fulfilment_create(
        self,
        info: Info,
        order_id: strawberry.ID,
        location_id: strawberry.ID,
        lines: list[OrderLineQuantityInput],
        tracking: FulfilmentTrackingInput | None = None,
    ) -> FulfilmentCreatePayload:
        try:
            order_key, location_key = _ids(order_id, location_id, "location_id")
            principal = await staff_acting_at(info.context, location_key)
            done = await services.create_fulfilment(
                info.context.runtime.uow(),
                order_id=order_key,
                location_id=location_key,
                lines=parse_lines(lines),
                tracking=None
                if tracking is None
                else Tracking(tracking.carrier, tracking.number, tracking.url),
                actor=_actor(principal),
            )
        except DomainError as error:
            return FulfilmentCreatePayload(errors=user_errors(error, prefix=None))
        return FulfilmentCreatePayload(
            order=await _order(info, order_key),
            fulfilment=await _fulfilment(info, done),
        )

    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="The order's units wait at the store: issue the pickup code shown to "
        "the customer (Order.pickups). Needs orders:manage (and the location, for a "
        "location-scoped token). Errors: INVALID_ID, ORDER_NOT_FOUND, ORDER_STATUS_INVALID, "
        "UNKNOWN_LOCATION, NOT_A_PICKUP_LOCATION, NOTHING_TO_PICK_UP.",
    )
    async def order_ready_for_pickup(
        self, info: Info, order_id: strawberry.ID, location_id: strawberry.ID
    ) -> OrderReadyForPickupPayload:
        try:
            order_key, location_key = _ids(order_id, location_id, "location_id")
            principal = await staff_acting_at(info.context, location_key)
            await services.mark_ready_for_pickup(
                info.context.runtime.uow(),
                order_id=order_key,
                location_id=location_key,
                actor=_actor(principal),
            )
        except DomainError as error:
            return OrderReadyForPickupPayload(errors=user_errors(error, prefix=None))
        return OrderReadyForPickupPayload(order=await _order(info, order_key))

    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="Hand the order over at the store against its pickup code (a wrong "
        "code changes nothing); pay-at-pickup orders are captured here. Needs "
        "orders:manage (and the location, for a location-scoped token). Errors: "
        "INVALID_ID, ORDER_NOT_FOUND, ORDER_STATUS_INVALID, UNKNOWN_LOCATION, "
        "NOT_A_PICKUP_LOCATION, PICKUP_NOT_READY, PICKUP_CODE_INVALID, NOTHING_TO_PICK_UP, "
        "PAYMENT_DECLINED, PLUGIN_FAILED.",
    )
    async def order_pickup_complete(
        self,
        info: Info,
        order_id: strawberry.ID,
        location_id: strawberry.ID,
        pickup_code: str,
    ) -> OrderPickupCompletePayload:
        try:
            order_key, location_key = _ids(order_id, location_id, "location_id")
            principal = await staff_acting_at(info.context, location_key)
            done = await services.complete_pickup(
                info.context.runtime.uow(),
                order_id=order_key,
                location_id=location_key,
                pickup_code=pickup_code,
                actor=_actor(principal),
            )
        except DomainError as error:
            return OrderPickupCompletePayload(errors=user_errors(error, prefix=None))
        return OrderPickupCompletePayload(
            order=await _order(info, order_key),
            fulfilment=await _fulfilment(info, done),
        )

    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="The location cannot fulfil units the order holds there: move them "
        "to the next locations by the sourcing hook (the delivery estimate updates). "
        "Needs orders:manage (and the from location, for a location-scoped token). "
        f"Errors: {_LINE_CODES}, INSUFFICIENT_STOCK (nothing changes), PLUGIN_FAILED.",
    )
    async def allocation_reroute(
        self,
        info: Info,
        order_id: strawberry.ID,
        from_location_id: strawberry.ID,
        lines: list[OrderLineQuantityInput],
    ) -> AllocationReroutePayload:
        try:
            order_key, location_key = _ids(order_id, from_location_id, "from_location_id")
            principal = await staff_acting_at(info.context, location_key)
            await services.reroute_allocation(
                info.context.runtime.uow(),
                order_id=order_key,
                from_location_id=location_key,
                lines=parse_lines(lines),
                actor=_actor(principal),
            )
        except DomainError as error:
            return AllocationReroutePayload(errors=user_errors(error, prefix=None))
        return AllocationReroutePayload(order=await _order(info, order_key))


async def _fulfilment(info: Info, done: services.Fulfilled) -> Fulfilment | None:
    found = await info.context.loaders.fulfilments_by_order_id.load(done.order.id)
    for each in found:
        if each.fulfilment.id == done.fulfilment.id:
            return Fulfilment.from_model(each)
    return None
