"""The store till (issue 15): ``posCheckout``, a sale at a store's till (scope
``orders:manage``; a location-scoped token sells only at its own stores, else
``FORBIDDEN`` before anything is read or written)."""

from __future__ import annotations

import strawberry

from core.carts.attributes import attribute_problems
from core.carts.inputs import LineInput
from core.customers.lookup import CustomerRef
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CustomerId, LocationId, VariantId
from core.orders import services
from core.orders.checkout_checks import PaymentInput as PaymentValue
from core.orders.till import TillDelivery, pos_checkout
from schema.attributes import AttributeInput, attribute_values
from schema.carts.address_mutations import MailingAddressInput
from schema.context import Context
from schema.errors import UserError, user_errors
from schema.money import Money
from schema.orders.mutations import PaymentInput
from schema.orders.types import Order
from schema.permissions import CanManageOrders, staff_acting_at
from schema.relay import from_global_id

Info = strawberry.Info[Context, None]

_CODES = (
    "REQUIRED, INVALID, INVALID_ID, INVALID_QUANTITY, UNKNOWN_LOCATION, NOT_A_STORE, "
    "UNKNOWN_VARIANT, NOT_SOLD_IN_CHANNEL, CUSTOMER_NOT_FOUND, INSUFFICIENT_STOCK (on "
    "lines.<i>), UNKNOWN_DELIVERY_OPTION, DELIVERY_OPTION_UNAVAILABLE, the address codes, "
    "PAYMENT_PROVIDER_NOT_ACCEPTED, PAYMENT_DECLINED, CASH_TENDERED_SHORT, "
    "CHECKOUT_BLOCKED (a channel plugin's rule, e.g. more loyalty points than the shopper "
    "has), IDEMPOTENCY_KEY_REUSED, PLUGIN_FAILED"
)


@strawberry.input(description="Units of one variant sold at the till.")
class PosLineInput:
    variant_id: strawberry.ID
    quantity: int


@strawberry.input(
    description="Endless aisle: deliver what the store does not have to this address, "
    "from the channel's other locations."
)
class PosDeliveryInput:
    address: MailingAddressInput
    option_id: str | None = strawberry.field(
        default=None,
        description="The home delivery option's handle (e.g. 'shipping:standard'); "
        "default: the cheapest home delivery the channel offers for the address.",
    )


@strawberry.type
class PosCheckoutPayload:
    order: Order | None = None
    change: Money | None = strawberry.field(
        default=None, description="Cash to hand back (provider 'cash' only; null on a replay)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = strawberry.field(
        default=False, description="True when this answers a retry: the sale was made already."
    )


def _parse(
    location_id: strawberry.ID, lines: list[PosLineInput]
) -> tuple[LocationId, list[LineInput]]:
    problems: list[Problem] = []
    location = LocationId(0)
    try:
        location = LocationId(from_global_id(location_id, "Location", field="location_id")[1])
    except DomainError as error:
        problems += error.problems
    parsed: list[LineInput] = []
    for index, line in enumerate(lines):
        try:
            _, key = from_global_id(
                line.variant_id, "ProductVariant", field=f"lines.{index}.variant_id"
            )
        except DomainError as error:
            problems += error.problems
            continue
        parsed.append(LineInput(VariantId(key), line.quantity))
    if problems:
        raise DomainError(problems)
    return location, parsed


def customer_ref(given: str | None) -> CustomerRef | None:
    """A customer's global ID becomes its id; anything else (an email, a loyalty id)
    is passed on as text for core to resolve."""
    if given is None or not given.strip():
        return None
    try:
        _, key = from_global_id(given.strip(), "Customer", field="customer_id")
    except DomainError:
        return CustomerRef(identifier=given)
    return CustomerRef(customer_id=CustomerId(key))


@strawberry.type
class TillMutation:
    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="Sell at a store's till: the order is made in the store's channel at "
        "its prices, the store's own units are handed over at once (a PICKUP fulfilment "
        "there) and the payment is captured at once; with everything handed over the "
        "order is COMPLETED. With delivery, what the store lacks is delivered from the "
        "channel's other locations. customerId: a customer's ID, email or loyalty id. "
        "All or nothing; a retry with the same idempotencyKey returns the same order "
        "(replayed). Needs orders:manage and, for a location-scoped token, that store "
        f"(else FORBIDDEN). Errors: {_CODES}.",
    )
    async def pos_checkout(
        self,
        info: Info,
        location_id: strawberry.ID,
        lines: list[PosLineInput],
        payment: PaymentInput,
        idempotency_key: str,
        customer_id: str | None = None,
        delivery: PosDeliveryInput | None = None,
        attributes: list[AttributeInput] | None = None,
    ) -> PosCheckoutPayload:
        data: object = payment.data if payment.data is not None else {}
        try:
            location, parsed = _parse(location_id, lines)
            principal = await staff_acting_at(info.context, location)
            if not isinstance(data, dict):
                raise DomainError.single(
                    ErrorCode.INVALID, "Payment data is a JSON object", "payment.data"
                )
            attached = attribute_values(attributes or ())
            problems = attribute_problems(attached)
            if problems:
                raise DomainError(problems)
            sale = await pos_checkout(
                info.context.runtime.uow(),
                location_id=location,
                lines=parsed,
                payment=PaymentValue(provider=payment.provider, data=data),
                idempotency_key=idempotency_key,
                actor=f"staff:{principal.staff_name}",
                customer=customer_ref(customer_id),
                delivery=None
                if delivery is None
                else TillDelivery(delivery.address.to_core(), delivery.option_id),
                attributes={attribute.key: attribute.value for attribute in attached},
            )
        except DomainError as error:
            return PosCheckoutPayload(errors=user_errors(error, prefix=None))
        view = await services.staff_order(info.context.runtime.uow(), sale.order.id)
        return PosCheckoutPayload(
            order=None if view is None else Order.from_view(view),
            change=None if sale.change is None else Money.from_value(sale.change),
            replayed=sale.replayed,
        )
