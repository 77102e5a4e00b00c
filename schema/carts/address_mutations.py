"""Setting a cart's shipping and billing address (issue 13).

Both take the same guards as every cart change (``expectedVersion``,
``idempotencyKey``) and answer with the same payload shape. Every field of the input
is optional in the schema and checked by the service, so a form gets every wrong field
at once as ``errors`` on paths like ``["address", "countryCode"]``. ``address: null``
clears the address.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.carts import services
from core.carts.services import CartResult, Guard
from schema.carts.answers import CART_CODES, KEY_HELP, VERSION_HELP, Info, answer
from schema.carts.types import Cart
from schema.errors import UserError

_ADDRESS_CODES = "REQUIRED, INVALID_POSTAL_CODE, INVALID_COUNTRY_CODE, INVALID_PHONE"
_ADDRESS_HELP = "The address; null clears it."


@strawberry.input(
    description="A postal address. firstName, lastName, line1, postalCode, city and "
    "countryCode are required (checked with the other fields, each problem on its path); "
    "every value is trimmed."
)
class MailingAddressInput:
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = strawberry.field(
        default=None, description="At most 16 letters, digits, spaces and hyphens."
    )
    city: str | None = None
    country_code: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (DE, US); lower case is accepted."
    )
    phone: str | None = strawberry.field(
        default=None, description="6 to 20 digits, with spaces and + ( ) - . allowed."
    )

    def to_core(self) -> services.MailingAddressInput:
        return services.MailingAddressInput(
            first_name=self.first_name,
            last_name=self.last_name,
            company=self.company,
            line1=self.line1,
            line2=self.line2,
            postal_code=self.postal_code,
            city=self.city,
            country_code=self.country_code,
            phone=self.phone,
        )


@strawberry.type
class CartShippingAddressSetPayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartBillingAddressSetPayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartAddressMutation:
    @strawberry.mutation(
        description="Set where the cart's order is to be shipped (null clears it). "
        f"Errors: {CART_CODES}, {_ADDRESS_CODES}."
    )
    async def cart_shipping_address_set(
        self,
        info: Info,
        token: str,
        address: Annotated[
            MailingAddressInput | None, strawberry.argument(description=_ADDRESS_HELP)
        ],
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartShippingAddressSetPayload:
        context = info.context

        async def change() -> CartResult:
            return await services.set_shipping_address(
                context.runtime.uow(),
                token=token,
                address=None if address is None else address.to_core(),
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartShippingAddressSetPayload, token, change)

    @strawberry.mutation(
        description="Set whom the cart's order is invoiced to (null clears it). "
        f"Errors: {CART_CODES}, {_ADDRESS_CODES}."
    )
    async def cart_billing_address_set(
        self,
        info: Info,
        token: str,
        address: Annotated[
            MailingAddressInput | None, strawberry.argument(description=_ADDRESS_HELP)
        ],
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartBillingAddressSetPayload:
        context = info.context

        async def change() -> CartResult:
            return await services.set_billing_address(
                context.runtime.uow(),
                token=token,
                address=None if address is None else address.to_core(),
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartBillingAddressSetPayload, token, change)
