"""Returns and refunds (issue 14): ``returnCreate`` (staff, or the order's owner online),
``returnReceive`` and ``refundCreate`` (staff with ``orders:manage``; a location-scoped
token receives only at its own locations)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.errors import DomainError, Problem
from core.ids import CustomerId, LocationId, OrderId, OrderLineId, ReturnId, ReturnLineId
from core.orders import services
from core.orders.return_model import Disposition, RefundLine
from core.staff.model import Scope
from schema.context import Context
from schema.errors import ApiError, ApiErrorCode, UserError, user_errors
from schema.inputs import parse_money
from schema.money import MoneyInput
from schema.orders.fulfilment_mutations import OrderLineQuantityInput
from schema.orders.types import Order, Refund, Return, ReturnDisposition
from schema.permissions import CanManageOrders, staff_acting_at
from schema.relay import from_global_id

Info = strawberry.Info[Context, None]

_LINE_CODES = "REQUIRED, INVALID, INVALID_ID, INVALID_QUANTITY, DUPLICATE"


@strawberry.input(description="Units of an order line to return, and why.")
class ReturnLineInput:
    order_line_id: strawberry.ID
    quantity: int
    reason: str = ""


@strawberry.input(description="Units of a return line that arrived, and what becomes of them.")
class ReturnReceiveLineInput:
    return_line_id: strawberry.ID
    quantity: int
    disposition: ReturnDisposition  # type: ignore[valid-type]  # strawberry enum
    note: str = strawberry.field(default="", description="Why, for a write-off (logged).")


@strawberry.type
class ReturnCreatePayload:
    order: Order | None = None
    return_: Return | None = strawberry.field(default=None, name="return")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReturnReceivePayload:
    order: Order | None = None
    return_: Return | None = strawberry.field(default=None, name="return")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RefundCreatePayload:
    order: Order | None = None
    refund: Refund | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = strawberry.field(
        default=False, description="True when this answers a retry: the refund already existed."
    )


def _key(raw: strawberry.ID, type_name: str, field: str) -> int:
    return from_global_id(raw, type_name, field=field)[1]


def _keys(raws: list[tuple[strawberry.ID, str, str]]) -> list[int]:
    problems: list[Problem] = []
    keys: list[int] = []
    for raw, type_name, field in raws:
        try:
            keys.append(_key(raw, type_name, field))
        except DomainError as error:
            problems += error.problems
    if problems:
        raise DomainError(problems)
    return keys


async def _requester(info: Info, order_token: str | None) -> services.Requester:
    """Staff (with orders:manage), else the customer's session or the order's token."""
    context = info.context
    staff = await context.staff()
    if staff is not None:
        if not staff.has(Scope.ORDERS_MANAGE):
            raise ApiError("This token lacks the orders:manage scope", ApiErrorCode.FORBIDDEN)
        return services.Requester(staff_name=staff.staff_name)
    caller = await context.cart_caller()
    if caller.customer_id is None and order_token is None:
        raise ApiError(
            "Log in, or give the order's token, to return its goods",
            ApiErrorCode.UNAUTHENTICATED,
        )
    return services.Requester(
        customer_id=None if caller.customer_id is None else CustomerId(caller.customer_id),
        order_token=order_token,
    )


async def _order(info: Info, order_id: OrderId, *, owner: bool) -> Order | None:
    view = await services.staff_order(info.context.runtime.uow(), order_id)
    return None if view is None else Order.from_view(view, owner=owner)


async def _return(info: Info, order: Order | None, return_id: ReturnId) -> Return | None:
    if order is None:
        return None
    found = await info.context.loaders.returns_by_order_id.load(order.order_id)
    lines = {line.line_id: line for line in order.lines}
    return next(
        (Return.from_model(each, lines) for each in found if each.returned.id == return_id), None
    )


@strawberry.type
class ReturnMutation:
    @strawberry.mutation(
        description="Return units of an order's fulfilled lines, in a channel (the "
        "order's by default; a store's channel for goods brought to a till). Staff with "
        "orders:manage may return any order's goods in any channel; the order's customer "
        "(session) or a guest (orderToken) online only, within the order channel's "
        f"returnWindowDays of fulfilment. Errors: {_LINE_CODES}, ORDER_NOT_FOUND, "
        "UNKNOWN_CHANNEL, UNKNOWN_ORDER_LINE, RETURN_QUANTITY_EXCEEDED (more than was "
        "fulfilled less what was returned), RETURN_WINDOW_CLOSED.",
    )
    async def return_create(
        self,
        info: Info,
        lines: list[ReturnLineInput],
        order_id: strawberry.ID | None = None,
        order_token: Annotated[
            str | None,
            strawberry.argument(description="A guest's orderToken, instead of a session."),
        ] = None,
        channel: Annotated[
            str | None, strawberry.argument(description="The channel's slug.")
        ] = None,
    ) -> ReturnCreatePayload:
        requester = await _requester(info, order_token)
        try:
            keys = _keys(
                ([(order_id, "Order", "order_id")] if order_id is not None else [])
                + [
                    (line.order_line_id, "OrderLine", f"lines.{i}.order_line_id")
                    for i, line in enumerate(lines)
                ]
            )
            order_key = OrderId(keys.pop(0)) if order_id is not None else None
            made = await services.create_return(
                info.context.runtime.uow(),
                order_id=order_key,
                lines=[
                    services.ReturnLineInput(OrderLineId(key), line.quantity, line.reason)
                    for key, line in zip(keys, lines, strict=True)
                ],
                channel_slug=channel,
                requester=requester,
            )
        except DomainError as error:
            return ReturnCreatePayload(errors=user_errors(error, prefix=None))
        order = await _order(info, made.order_id, owner=requester.staff_name is None)
        return ReturnCreatePayload(order=order, return_=await _return(info, order, made.id))

    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="Receive units of a return at the location where they arrive (of any "
        "channel): RESTOCK puts them on hand there, WRITE_OFF records a movement with its "
        "note; movements name the return. Needs orders:manage (and the location, for a "
        f"location-scoped token). Errors: {_LINE_CODES}, RETURN_NOT_FOUND, "
        "UNKNOWN_LOCATION, UNKNOWN_RETURN_LINE, UNKNOWN_VARIANT, RECEIVE_QUANTITY_EXCEEDED "
        "(more than was returned less what was received).",
    )
    async def return_receive(
        self,
        info: Info,
        return_id: strawberry.ID,
        location_id: strawberry.ID,
        lines: list[ReturnReceiveLineInput],
    ) -> ReturnReceivePayload:
        try:
            return_key, location_key = _keys(
                [(return_id, "Return", "return_id"), (location_id, "Location", "location_id")]
            )
            principal = await staff_acting_at(info.context, LocationId(location_key))
            line_keys = _keys(
                [
                    (line.return_line_id, "ReturnLine", f"lines.{i}.return_line_id")
                    for i, line in enumerate(lines)
                ]
            )
            done = await services.receive_return(
                info.context.runtime.uow(),
                return_id=ReturnId(return_key),
                location_id=LocationId(location_key),
                lines=[
                    services.ReceiveLineInput(
                        ReturnLineId(key), line.quantity, Disposition(line.disposition), line.note
                    )
                    for key, line in zip(line_keys, lines, strict=True)
                ],
                actor=f"staff:{principal.staff_name}",
            )
        except DomainError as error:
            return ReturnReceivePayload(errors=user_errors(error, prefix=None))
        order = await _order(info, done.order_id, owner=False)
        return ReturnReceivePayload(order=order, return_=await _return(info, order, done.id))

    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="Refund an amount, or the price of some units of the order's lines, "
        "through the order's payment provider; refunds may be partial and never exceed "
        "what was captured. Retrying with the same idempotencyKey and arguments answers "
        "the same refund (replayed). Needs orders:manage. Errors: REQUIRED, INVALID, "
        "INVALID_ID, INVALID_QUANTITY, DUPLICATE, INVALID_AMOUNT, INVALID_CURRENCY, "
        "CURRENCY_MISMATCH, ORDER_NOT_FOUND, UNKNOWN_ORDER_LINE, IDEMPOTENCY_KEY_REUSED, "
        "REFUND_EXCEEDS_CAPTURED, PAYMENT_PROVIDER_NOT_ACCEPTED, PAYMENT_DECLINED, "
        "PLUGIN_FAILED.",
    )
    async def refund_create(
        self,
        info: Info,
        order_id: strawberry.ID,
        idempotency_key: str,
        amount: MoneyInput | None = None,
        lines: list[OrderLineQuantityInput] | None = None,
        reason: str = "",
    ) -> RefundCreatePayload:
        principal = await info.context.staff()
        assert principal is not None  # the permission class required one
        try:
            keys = _keys(
                [(order_id, "Order", "order_id")]
                + [
                    (line.order_line_id, "OrderLine", f"lines.{i}.order_line_id")
                    for i, line in enumerate(lines or [])
                ]
            )
            order_key = OrderId(keys.pop(0))
            done = await services.create_refund(
                info.context.runtime.uow(),
                order_id=order_key,
                amount=None if amount is None else parse_money(amount, field="amount"),
                lines=None
                if lines is None
                else [
                    RefundLine(OrderLineId(key), line.quantity)
                    for key, line in zip(keys, lines, strict=True)
                ],
                reason=reason,
                idempotency_key=idempotency_key,
                actor=f"staff:{principal.staff_name}",
            )
        except DomainError as error:
            return RefundCreatePayload(errors=user_errors(error, prefix=None))
        return RefundCreatePayload(
            order=await _order(info, order_key, owner=False),
            refund=Refund.from_model(done.refund),
            replayed=done.replayed,
        )
