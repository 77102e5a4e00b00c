"""Cart mutations, named as in Shopify's Cart API.

No login is needed: the cart token is the capability. A logged-in customer's new
carts are theirs, and a customer's cart answers only to its token from that
customer or from a request without a customer session.

Every mutation takes the optional ``expectedVersion`` (refused with
``CART_VERSION_CONFLICT`` when the cart moved on) and ``idempotencyKey`` (a retry
answers with the cart and applies nothing again). Each payload has the whole cart
(``schema.carts.answers``). The addresses are set in ``schema.carts.address_mutations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry

from core.carts import services
from core.carts.services import (
    CartResult,
    DeliveryChoice,
    Guard,
    LineInput,
    LineQuantity,
    ResumeReport,
)
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartLineId, ChannelId, VariantId
from schema.carts.answers import CART_CODES, KEY_HELP, VERSION_HELP, answer
from schema.carts.types import Cart
from schema.context import Context
from schema.errors import UserError, UserErrorCode, user_errors
from schema.inputs import decode_id
from schema.relay import to_global_id

Info = strawberry.Info[Context, None]

_LINE_CODES = "INVALID_ID, UNKNOWN_VARIANT, NOT_SOLD_IN_CHANNEL, INVALID_QUANTITY, "
_LINE_CODES += "INSUFFICIENT_STOCK, TOO_MANY_LINES"


@strawberry.input(description="A variant and how many to add.")
class CartLineInput:
    variant_id: strawberry.ID
    quantity: int = strawberry.field(description="At least 1.")


@strawberry.input(description="A line and its new quantity.")
class CartLineUpdateInput:
    line_id: strawberry.ID
    quantity: int = strawberry.field(description="0 removes the line.")


@strawberry.input(description="A new cart.")
class CartCreateInput:
    channel: str | None = strawberry.field(
        default=None, description="Channel slug; the request's channel when omitted."
    )
    lines: list[CartLineInput] = strawberry.field(default_factory=list)
    email: str | None = None


@strawberry.input(description="The option to deliver one delivery group by.")
class CartSelectedDeliveryOptionInput:
    delivery_group_id: strawberry.ID = strawberry.field(description="From Cart.deliveryGroups.")
    delivery_option_handle: str = strawberry.field(description="One of the group's options.")


@strawberry.type
class CartSelectedDeliveryOptionsUpdatePayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartCreatePayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = strawberry.field(
        default=False, description="True when this answers a retry: nothing was applied again."
    )


@strawberry.type
class CartLinesAddPayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartLinesUpdatePayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartLinesRemovePayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartClearPayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartEmailUpdatePayload:
    cart: Cart | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


def _line_inputs(lines: Sequence[CartLineInput]) -> list[LineInput]:
    parsed: list[LineInput] = []
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        try:
            variant_id = decode_id(
                line.variant_id, "ProductVariant", field=f"lines.{index}.variant_id"
            )
        except DomainError as error:
            problems += error.problems
            continue
        parsed.append(LineInput(VariantId(variant_id), line.quantity))
    if problems:
        raise DomainError(problems)
    return parsed


def _line_ids(ids: Sequence[strawberry.ID], field: str) -> list[CartLineId]:
    parsed: list[CartLineId] = []
    problems: list[Problem] = []
    for index, line_id in enumerate(ids):
        try:
            parsed.append(CartLineId(decode_id(line_id, "CartLine", field=field.format(index))))
        except DomainError as error:
            problems += error.problems
    if problems:
        raise DomainError(problems)
    return parsed


@strawberry.type(description="A line the cart's new channel cannot fully give.")
class CartResumeUnavailableLine:
    line_id: strawberry.ID
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="NOT_SOLD_IN_CHANNEL or INSUFFICIENT_STOCK."
    )
    quantity: int = strawberry.field(description="What the line asks for.")
    available_quantity: int = strawberry.field(description="What the channel holds for it now.")


@strawberry.type
class CartResumePayload:
    cart: Cart | None = None
    unavailable_lines: list[CartResumeUnavailableLine] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = False


@strawberry.type
class CartMutation:
    @strawberry.mutation(
        description="Create a cart in a channel, with lines to add and an email. The "
        "payload's cart carries the token. Errors: UNKNOWN_CHANNEL, INVALID_EMAIL, "
        f"{_LINE_CODES}, IDEMPOTENCY_KEY_REUSED, INVALID."
    )
    async def cart_create(
        self,
        info: Info,
        input: CartCreateInput,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartCreatePayload:
        context = info.context
        runtime = context.runtime
        try:
            slug = context.requested_channel_slug(input.channel)
            channel = await runtime.channels.by_slug(slug)
            if channel is None:
                raise DomainError.single(
                    ErrorCode.UNKNOWN_CHANNEL, f"There is no channel {slug!r}", "channel"
                )
            result = await services.create_cart(
                runtime.uow(),
                channel_id=ChannelId(channel.id),
                lines=_line_inputs(input.lines),
                email=(input.email or "").strip(),
                caller=await context.cart_caller(),
                idempotency_key=idempotency_key,
                limits=context.cart_limits(),
            )
        except DomainError as error:
            errors: list[UserError] = []
            for problem in error.problems:
                top = problem.field == "idempotency_key"
                errors += user_errors(DomainError([problem]), prefix=None if top else "input")
            return CartCreatePayload(errors=errors)
        assert result.token is not None
        return CartCreatePayload(
            cart=Cart.from_priced(result.cart, result.token, context), replayed=result.replayed
        )

    @strawberry.mutation(
        description="Add variants to the cart; a variant already in it increments its line. "
        f"Holds the stock. Errors: {CART_CODES}, {_LINE_CODES}, REQUIRED."
    )
    async def cart_lines_add(
        self,
        info: Info,
        token: str,
        lines: list[CartLineInput],
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartLinesAddPayload:
        context = info.context

        async def change() -> CartResult:
            return await services.add_lines(
                context.runtime.uow(),
                token=token,
                lines=_line_inputs(lines),
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartLinesAddPayload, token, change)

    @strawberry.mutation(
        description="Set line quantities (0 removes a line), holding or giving back stock. "
        f"Errors: {CART_CODES}, {_LINE_CODES}, UNKNOWN_LINE, DUPLICATE, REQUIRED."
    )
    async def cart_lines_update(
        self,
        info: Info,
        token: str,
        lines: list[CartLineUpdateInput],
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartLinesUpdatePayload:
        context = info.context

        async def change() -> CartResult:
            ids = _line_ids([line.line_id for line in lines], "lines.{}.line_id")
            return await services.update_lines(
                context.runtime.uow(),
                token=token,
                lines=[
                    LineQuantity(line_id, line.quantity)
                    for line_id, line in zip(ids, lines, strict=True)
                ],
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartLinesUpdatePayload, token, change)

    @strawberry.mutation(
        description=f"Remove lines and give back their stock. Errors: {CART_CODES}, "
        "INVALID_ID, UNKNOWN_LINE, REQUIRED."
    )
    async def cart_lines_remove(
        self,
        info: Info,
        token: str,
        line_ids: list[strawberry.ID],
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartLinesRemovePayload:
        context = info.context

        async def change() -> CartResult:
            return await services.remove_lines(
                context.runtime.uow(),
                token=token,
                line_ids=_line_ids(line_ids, "line_ids.{}"),
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartLinesRemovePayload, token, change)

    @strawberry.mutation(description=f"Remove every line. Errors: {CART_CODES}.")
    async def cart_clear(
        self,
        info: Info,
        token: str,
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartClearPayload:
        context = info.context

        async def change() -> CartResult:
            return await services.clear_cart(
                context.runtime.uow(),
                token=token,
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartClearPayload, token, change)

    @strawberry.mutation(
        description="Set the cart's email (an empty string clears it). "
        f"Errors: {CART_CODES}, INVALID_EMAIL."
    )
    async def cart_email_update(
        self,
        info: Info,
        token: str,
        email: str,
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartEmailUpdatePayload:
        context = info.context

        async def change() -> CartResult:
            return await services.update_email(
                context.runtime.uow(),
                token=token,
                email=email.strip(),
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartEmailUpdatePayload, token, change)

    @strawberry.mutation(
        description="Continue the cart in another channel (web to mobile, say): every line "
        "is re-priced there and its stock held from that channel's locations; lines it "
        "does not sell or cannot hold in full are listed in unavailableLines and stay in "
        f"the cart. Errors: {CART_CODES}, UNKNOWN_CHANNEL."
    )
    async def cart_resume(
        self,
        info: Info,
        token: str,
        channel: str,
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartResumePayload:
        context = info.context
        reports: list[ResumeReport] = []

        async def change() -> CartResult:
            target = await context.runtime.channels.by_slug(channel)
            if target is None:
                raise DomainError.single(
                    ErrorCode.UNKNOWN_CHANNEL, f"There is no channel {channel!r}", "channel"
                )
            result = await services.resume_cart(
                context.runtime.uow(),
                token=token,
                channel_id=ChannelId(target.id),
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )
            reports.extend(result.unavailable)
            return result.cart

        payload = await answer(info, CartResumePayload, token, change)
        payload.unavailable_lines = [
            CartResumeUnavailableLine(
                line_id=strawberry.ID(to_global_id("CartLine", report.line_id)),
                code=report.code,
                quantity=report.wanted,
                available_quantity=report.available,
            )
            for report in reports
        ]
        return payload

    @strawberry.mutation(
        description="Choose a delivery option for delivery groups of the cart (by the "
        "group's id and the option's handle, from Cart.deliveryGroups). An option that "
        "covers only some of a group's lines moves the others into a new group, which the "
        "same request may choose for. The cart's cost.deliveryAmount follows. Errors: "
        f"{CART_CODES}, REQUIRED, DUPLICATE, UNKNOWN_DELIVERY_GROUP, "
        "UNKNOWN_DELIVERY_OPTION, DELIVERY_OPTION_UNAVAILABLE."
    )
    async def cart_selected_delivery_options_update(
        self,
        info: Info,
        token: str,
        selected_delivery_options: list[CartSelectedDeliveryOptionInput],
        expected_version: Annotated[
            int | None, strawberry.argument(description=VERSION_HELP)
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> CartSelectedDeliveryOptionsUpdatePayload:
        context = info.context

        async def change() -> CartResult:
            return await services.select_delivery_options(
                context.runtime.uow(),
                token=token,
                choices=[
                    DeliveryChoice(str(choice.delivery_group_id), choice.delivery_option_handle)
                    for choice in selected_delivery_options
                ],
                caller=await context.cart_caller(),
                guard=Guard(expected_version, idempotency_key),
                limits=context.cart_limits(),
            )

        return await answer(info, CartSelectedDeliveryOptionsUpdatePayload, token, change)
