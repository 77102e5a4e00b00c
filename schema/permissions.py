"""Staff scopes as strawberry permission classes, and the customer session check.

A missing or unknown token is ``UNAUTHENTICATED``; a valid token without the scope
is ``FORBIDDEN``. Both stop the field before its resolver runs, so nothing is written.
Customer operations call ``signed_in`` first, with the same effect.
"""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry
from strawberry.permission import BasePermission

from core.customers.model import CustomerSession
from core.staff.model import Scope
from schema.context import Context
from schema.errors import ApiError, ApiErrorCode


class _RequiresScope(BasePermission):
    scope: ClassVar[Scope]
    message = "A staff token is required"

    async def has_permission(
        self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any
    ) -> bool:
        principal = await info.context.staff()
        if principal is None:
            raise ApiError(
                "A valid staff token is required (Authorization: Bearer <token>)",
                ApiErrorCode.UNAUTHENTICATED,
            )
        if not principal.has(self.scope):
            raise ApiError(f"This token lacks the {self.scope.value} scope", ApiErrorCode.FORBIDDEN)
        return True


class CanWriteCatalog(_RequiresScope):
    scope = Scope.CATALOG_WRITE


class CanWriteChannels(_RequiresScope):
    scope = Scope.CHANNELS_WRITE


class CanWriteInventory(_RequiresScope):
    scope = Scope.INVENTORY_WRITE


class CanReadOrders(_RequiresScope):
    scope = Scope.ORDERS_READ


class CanManageOrders(_RequiresScope):
    scope = Scope.ORDERS_MANAGE


async def signed_in(context: Context) -> CustomerSession:
    """The request's customer session; ``UNAUTHENTICATED`` without a live one.

    A staff token, an unknown, expired or revoked customer token and no token at all
    are all refused the same way.
    """
    session = await context.customer_session()
    if session is None:
        raise ApiError(
            "A valid customer session is required "
            "(Authorization: Bearer <token from customerLogin>)",
            ApiErrorCode.UNAUTHENTICATED,
        )
    return session
