"""Customer account mutations: register, log in and out, change the password."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import strawberry

from core.carts import services as cart_services
from core.carts.merge import check_guest_token, merge_guest_cart, merge_into_customer
from core.customers import services
from core.errors import DomainError
from core.ids import ChannelId
from core.keys import CART_SEAL
from schema.carts.types import Cart, CartMergeReport
from schema.context import Context
from schema.customers.types import Customer
from schema.errors import UserError, user_errors
from schema.inputs import payload_errors
from schema.permissions import signed_in

Info = strawberry.Info[Context, None]


# ---------------------------------------------------------------- inputs


@strawberry.input
class CustomerRegisterInput:
    email: str = strawberry.field(description="Unique whatever its case; stored in lower case.")
    password: str = strawberry.field(
        description="8 to 256 characters, not the email; stored only as an argon2 hash."
    )
    name: str


@strawberry.input
class CustomerLoginInput:
    email: str
    password: str
    cart_token: str | None = strawberry.field(
        default=None,
        description="A guest cart this device holds: merged into the customer's cart in its "
        "channel, by the channel's merge policy, in the same transaction as the login.",
    )


@strawberry.input
class CustomerPasswordChangeInput:
    current_password: str
    new_password: str = strawberry.field(description="8 to 256 characters, not the email.")


# ---------------------------------------------------------------- payloads


@strawberry.type
class CustomerRegisterPayload:
    customer: Customer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerLoginPayload:
    token: str | None = strawberry.field(
        default=None,
        description="The session token: send it as 'Authorization: Bearer <token>'. "
        "Shown once; keep it in the device's secure storage.",
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the session ends unless it is logged out before."
    )
    customer: Customer | None = None
    cart: Cart | None = strawberry.field(
        default=None,
        description="The customer's active cart: the one the guest cart merged into, or "
        "else their active cart in the request's channel.",
    )
    merge: CartMergeReport | None = strawberry.field(
        default=None, description="What the merge did, when a cartToken was given."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerLogoutPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerPasswordChangePayload:
    customer: Customer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CartMergePayload:
    cart: Cart | None = None
    merge: CartMergeReport | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ---------------------------------------------------------------- mutations


@strawberry.type
class CustomersMutation:
    @strawberry.mutation(
        description="Create a customer account (it does not log in). Errors: REQUIRED, "
        "INVALID_EMAIL, EMAIL_TAKEN, PASSWORD_TOO_WEAK, INVALID."
    )
    async def customer_register(
        self, info: Info, input: CustomerRegisterInput
    ) -> CustomerRegisterPayload:
        try:
            customer = await services.register(
                info.context.runtime.uow(),
                email=input.email,
                password=input.password,
                name=input.name,
            )
        except DomainError as error:
            return CustomerRegisterPayload(errors=payload_errors(error))
        return CustomerRegisterPayload(customer=Customer.from_model(customer))

    @strawberry.mutation(
        description="Log in with email and password; returns a session token. Errors: "
        "REQUIRED, INVALID_CREDENTIALS (an unknown email and a wrong password are "
        "indistinguishable), TOO_MANY_ATTEMPTS (too many tries for the email lately), "
        "INVALID_CART_TOKEN and CART_NOT_FOUND (the cartToken; nothing is logged in then)."
    )
    async def customer_login(self, info: Info, input: CustomerLoginInput) -> CustomerLoginPayload:
        context = info.context
        runtime = context.runtime
        lifetime = timedelta(seconds=runtime.settings.customer_session_seconds)
        try:
            if input.cart_token is not None:
                check_guest_token(input.cart_token)
            verified = await services.check_credentials(
                runtime.uow(), email=input.email, password=input.password
            )
            uow = runtime.uow()
            seal_key = await uow.keys.key(CART_SEAL)
            async with uow:
                issued = await services.open_session(uow, verified, lifetime=lifetime)
                merged = None
                if input.cart_token is not None:
                    merged = await merge_into_customer(
                        uow,
                        customer_id=issued.customer.id,
                        guest_token=input.cart_token,
                        limits=context.cart_limits(),
                        seal_key=seal_key,
                    )
                await uow.commit()
        except DomainError as error:
            return CustomerLoginPayload(errors=payload_errors(error))
        cart = report = None
        if merged is not None:
            if merged.token is not None:
                cart = Cart.from_priced(merged.cart, merged.token, context)
            if merged.report is not None:
                report = CartMergeReport.from_model(merged.report, merged.cart.channel.id)
        else:
            channel = await runtime.channels.by_slug(context.requested_channel_slug(None))
            if channel is not None:
                found = await cart_services.active_cart(
                    runtime.uow(), issued.customer.id, ChannelId(channel.id)
                )
                if found is not None and found.token is not None:
                    cart = Cart.from_priced(found.cart, found.token, context)
        return CustomerLoginPayload(
            token=issued.token,
            expires_at=issued.expires_at,
            customer=Customer.from_model(issued.customer),
            cart=cart,
            merge=report,
        )

    @strawberry.mutation(
        description="End the session whose token this request carries; other devices stay "
        "logged in. Without a live customer session: UNAUTHENTICATED."
    )
    async def customer_logout(self, info: Info) -> CustomerLogoutPayload:
        session = await signed_in(info.context)
        await services.log_out(info.context.runtime.uow(), session_id=session.id)
        return CustomerLogoutPayload()

    @strawberry.mutation(
        description="Change the password, given the current one. Every other session of the "
        "customer ends; this one stays. Without a live customer session: UNAUTHENTICATED. "
        "Errors: REQUIRED, INVALID_CREDENTIALS, PASSWORD_TOO_WEAK, INVALID, TOO_MANY_ATTEMPTS."
    )
    async def customer_password_change(
        self, info: Info, input: CustomerPasswordChangeInput
    ) -> CustomerPasswordChangePayload:
        session = await signed_in(info.context)
        try:
            customer = await services.change_password(
                info.context.runtime.uow(),
                customer_id=session.customer.id,
                session_id=session.id,
                current_password=input.current_password,
                new_password=input.new_password,
            )
        except DomainError as error:
            return CustomerPasswordChangePayload(errors=payload_errors(error))
        return CustomerPasswordChangePayload(customer=Customer.from_model(customer))

    @strawberry.mutation(
        description="Merge a guest cart (its token) into the logged-in customer's cart in "
        "the guest cart's channel, by the channel's merge policy, as logging in with a "
        "cartToken does. Needs a customer session (UNAUTHENTICATED otherwise). Errors: "
        "INVALID_CART_TOKEN, CART_NOT_FOUND."
    )
    async def cart_merge(self, info: Info, token: str) -> CartMergePayload:
        context = info.context
        session = await signed_in(context)
        try:
            merged = await merge_guest_cart(
                context.runtime.uow(),
                customer_id=session.customer.id,
                guest_token=token,
                limits=context.cart_limits(),
            )
        except DomainError as error:
            # The service names the guest token ``cart_token`` (as in customerLogin).
            problems = [replace(problem, field="token") for problem in error.problems]
            return CartMergePayload(errors=user_errors(DomainError(problems), prefix=None))
        return CartMergePayload(
            cart=None
            if merged.token is None
            else Cart.from_priced(merged.cart, merged.token, context),
            merge=None
            if merged.report is None
            else CartMergeReport.from_model(merged.report, merged.cart.channel.id),
        )
