"""Order mutations: ``checkoutComplete`` (a cart becomes an order, once) and
``orderCancel`` (staff with ``orders:manage``, or the customer who placed it)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from core.errors import DomainError, ErrorCode
from core.ids import CustomerId, OrderId
from core.orders import services
from core.orders.locations import order_location_ids
from core.orders.services import PaymentInput as PaymentValue
from core.staff.model import Scope
from schema.context import Context
from schema.errors import ApiError, ApiErrorCode, UserError, user_errors
from schema.orders.fulfilment_mutations import OrderLineQuantityInput, parse_lines
from schema.orders.types import Order
from schema.permissions import CanManageOrders, require_any_location, staff_principal
from schema.relay import from_global_id

Info = strawberry.Info[Context, None]

_CHECKOUT_CODES = (
    "INVALID_CART_TOKEN, CART_NOT_FOUND, CART_EXPIRED, CART_NOT_ACTIVE, CART_VERSION_CONFLICT, "
    "IDEMPOTENCY_KEY_REUSED, REQUIRED (email, shippingAddress, a delivery group's option, "
    "lines), NOT_SOLD_IN_CHANNEL, CHECKOUT_BLOCKED, INSUFFICIENT_STOCK, "
    "PAYMENT_PROVIDER_NOT_ACCEPTED, PAYMENT_REQUIRES_PICKUP, PAYMENT_DECLINED, INVALID"
)


@strawberry.input(description="How the order is paid: a provider the channel accepts.")
class PaymentInput:
    provider: str = strawberry.field(description="'test-gateway', 'pay-at-pickup', ...")
    data: JSON | None = strawberry.field(
        default=None, description="What the provider needs (a card token, say)."
    )


@strawberry.type
class CheckoutCompletePayload:
    order: Order | None = None
    order_token: str | None = strawberry.field(
        default=None,
        description="Reads the order with orderByToken: keep it (a guest has no other way).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = strawberry.field(
        default=False, description="True when this answers a retry: the order already existed."
    )


@strawberry.type
class OrderCancelPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderLinesCancelPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrdersMutation:
    @strawberry.mutation(
        description="Place the cart's order: validate, re-price, allocate the stock, "
        "authorise the payment, write the order, complete the cart; all or nothing. A "
        "retry with the same idempotencyKey returns the same order (replayed). Errors: "
        f"{_CHECKOUT_CODES}."
    )
    async def checkout_complete(
        self,
        info: Info,
        token: str,
        idempotency_key: str,
        payment: PaymentInput,
        expected_version: Annotated[
            int | None,
            strawberry.argument(description="Refused with CART_VERSION_CONFLICT if stale."),
        ] = None,
    ) -> CheckoutCompletePayload:
        context = info.context
        data: object = payment.data if payment.data is not None else {}
        if not isinstance(data, dict):
            return CheckoutCompletePayload(
                errors=[
                    UserError(
                        field=["payment", "data"],
                        code=ErrorCode.INVALID,
                        message="Payment data is a JSON object",
                    )
                ]
            )
        try:
            result = await services.complete_checkout(
                context.runtime.uow(),
                token=token,
                caller=await context.cart_caller(),
                idempotency_key=idempotency_key,
                payment=PaymentValue(provider=payment.provider, data=data),
                expected_version=expected_version,
            )
        except DomainError as error:
            return CheckoutCompletePayload(errors=user_errors(error, prefix=None))
        view = await services.placed_order_view(context.runtime.uow(), result)
        return CheckoutCompletePayload(
            order=Order.from_view(view, owner=True),
            order_token=result.order_token,
            replayed=result.replayed,
        )

    @strawberry.mutation(
        description="Cancel an order: its stock goes back, its payment is voided or "
        "refunded. Staff need orders:manage; the customer who placed it (or a guest with "
        "its orderToken) may while it is PLACED or CONFIRMED; a location-scoped staff token "
        "only an order with work at its locations (else FORBIDDEN). Errors: ORDER_NOT_FOUND, "
        "ORDER_STATUS_INVALID, INVALID, PLUGIN_FAILED."
    )
    async def order_cancel(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str = "",
        token: Annotated[
            str | None,
            strawberry.argument(description="A guest's orderToken, instead of a session."),
        ] = None,
    ) -> OrderCancelPayload:
        context = info.context
        uow = context.runtime.uow()
        try:
            _, key = from_global_id(id, "Order")
            staff = await context.staff()
            if staff is not None:
                if not staff.has(Scope.ORDERS_MANAGE):
                    raise ApiError(
                        "This token lacks the orders:manage scope", ApiErrorCode.FORBIDDEN
                    )
                if staff.locations is not None:
                    found = await services.staff_order(uow, OrderId(key))
                    if found is not None:
                        require_any_location(staff, order_location_ids(found.order))
                await services.cancel_as_staff(
                    uow, OrderId(key), staff_name=staff.staff_name, reason=reason
                )
            else:
                caller = await context.cart_caller()
                if caller.customer_id is None and token is None:
                    raise ApiError(
                        "Log in, or give the order's token, to cancel it",
                        ApiErrorCode.UNAUTHENTICATED,
                    )
                await services.cancel_as_customer(
                    uow,
                    OrderId(key),
                    customer_id=None
                    if caller.customer_id is None
                    else CustomerId(caller.customer_id),
                    token=token,
                    reason=reason,
                )
        except DomainError as error:
            return OrderCancelPayload(errors=user_errors(error, prefix=None))
        view = await services.staff_order(context.runtime.uow(), OrderId(key))
        return OrderCancelPayload(order=None if view is None else Order.from_view(view))

    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="Cancel units of the order's lines that are not fulfilled: exactly "
        "their allocations go back to stock, their value is refunded when it was captured "
        "(never captured when only authorised), OrderLine.cancelledQuantity grows. When "
        "every unit is cancelled or fulfilled the status follows (CANCELLED when nothing "
        "was fulfilled). Needs orders:manage; a location-scoped token only for an order "
        "with work at its locations (else FORBIDDEN). Errors: REQUIRED, INVALID, "
        "INVALID_ID, INVALID_QUANTITY, DUPLICATE, ORDER_NOT_FOUND, ORDER_STATUS_INVALID, "
        "UNKNOWN_ORDER_LINE, QUANTITY_EXCEEDS_UNFULFILLED (more than is left unfulfilled "
        "and not cancelled, on lines.<i>.quantity), QUANTITY_NOT_ALLOCATED, "
        "REFUND_EXCEEDS_CAPTURED, PAYMENT_DECLINED, PLUGIN_FAILED.",
    )
    async def order_lines_cancel(
        self,
        info: Info,
        order_id: strawberry.ID,
        lines: list[OrderLineQuantityInput],
        reason: str | None = None,
    ) -> OrderLinesCancelPayload:
        uow = info.context.runtime.uow()
        try:
            _, key = from_global_id(order_id, "Order", field="order_id")
            principal = await staff_principal(info.context)
            if principal.locations is not None:
                found = await services.staff_order(uow, OrderId(key))
                if found is not None:
                    require_any_location(principal, order_location_ids(found.order))
            await services.cancel_lines(
                uow,
                order_id=OrderId(key),
                lines=parse_lines(lines),
                reason=reason or "",
                actor=f"staff:{principal.staff_name}",
            )
        except DomainError as error:
            return OrderLinesCancelPayload(errors=user_errors(error, prefix=None))
        view = await services.staff_order(info.context.runtime.uow(), OrderId(key))
        return OrderLinesCancelPayload(order=None if view is None else Order.from_view(view))
