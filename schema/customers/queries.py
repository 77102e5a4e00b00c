"""Customer queries: ``me``."""

from __future__ import annotations

import strawberry

from schema.context import Context
from schema.customers.types import Customer
from schema.permissions import signed_in

Info = strawberry.Info[Context, None]


@strawberry.type
class CustomersQuery:
    @strawberry.field(
        description="The logged-in customer; null without an Authorization header. A token "
        "that is not a live customer session (expired, revoked, a staff token) is an "
        "UNAUTHENTICATED error: drop it and log in again."
    )
    async def me(self, info: Info) -> Customer | None:
        if info.context.bearer_token() is None:
            return None
        session = await signed_in(info.context)
        return Customer.from_model(session.customer)
