"""Customer account mutations: register, log in and out, change the password."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from core.customers import services
from core.errors import DomainError
from schema.context import Context
from schema.customers.types import Customer
from schema.errors import UserError
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
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerLogoutPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerPasswordChangePayload:
    customer: Customer | None = None
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
        "indistinguishable), TOO_MANY_ATTEMPTS (too many tries for the email lately)."
    )
    async def customer_login(self, info: Info, input: CustomerLoginInput) -> CustomerLoginPayload:
        runtime = info.context.runtime
        try:
            issued = await services.log_in(
                runtime.uow(),
                email=input.email,
                password=input.password,
                lifetime=timedelta(seconds=runtime.settings.customer_session_seconds),
            )
        except DomainError as error:
            return CustomerLoginPayload(errors=payload_errors(error))
        return CustomerLoginPayload(
            token=issued.token,
            expires_at=issued.expires_at,
            customer=Customer.from_model(issued.customer),
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
