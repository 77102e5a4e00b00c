"""Setting a cart's attributes (issue 15): key-value pairs for the channel's plugins."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.carts.attributes import update_attributes
from core.carts.services import CartResult, Guard
from schema.attributes import AttributeInput, attribute_values
from schema.carts.answers import CART_CODES, KEY_HELP, VERSION_HELP, Info, answer
from schema.carts.types import Cart
from schema.errors import UserError


@strawberry.type
class CartAttributesUpdatePayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartAttributeMutation:
    @strawberry.mutation(
        description="Replace the cart's attributes (an empty list clears them): key-value "
        "pairs the channel's plugins read, such as a loyalty plugin's "
        "`loyalty.redeemPoints`. The cart is re-priced with them; checkout copies them onto "
        f"the order. Errors: {CART_CODES}, TOO_MANY_ATTRIBUTES (more than 30), "
        "INVALID_ATTRIBUTE, DUPLICATE."
    )
    async def cart_attributes_update(
        self,
        info: Info,
        token: str,
        attributes: list[AttributeInput],
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartAttributesUpdatePayload:
        context = info.context

        async def change() -> CartResult:
            return await update_attributes(
                context.runtime.uow(),
                token=token,
                attributes=attribute_values(attributes),
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartAttributesUpdatePayload, token, change)
