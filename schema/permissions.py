"""Staff scopes as strawberry permission classes, the location scope of staff tokens,
and the customer session check.

A missing or unknown token is ``UNAUTHENTICATED``; a valid token without the scope
is ``FORBIDDEN``. Both stop the field before its resolver runs, so nothing is written.
Customer operations call ``signed_in`` first, with the same effect.

A location-scoped token (``omnicart staff create-token --location SLUG``, issue 14)
acts only for its locations: every staff operation naming a location calls
``require_location`` before its service, and one on a whole order (or return)
``require_any_location`` with the locations the order has work at
(``core.orders.locations.order_location_ids``); both raise ``FORBIDDEN`` first, so
nothing is written. One rule for fulfilments, pickups, reroutes and returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import strawberry
from strawberry.permission import BasePermission

from core.customers.model import CustomerSession
from core.ids import LocationId
from core.staff.model import Scope, StaffPrincipal
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


class CanManageWebhooks(_RequiresScope):
    scope = Scope.WEBHOOKS_MANAGE


class CanWatchOrders(BasePermission):
    """Scope ``orders:read`` or ``orders:manage``: a store's staff watching its orders."""

    message = "A staff token is required"

    async def has_permission(
        self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any
    ) -> bool:
        principal = await staff_principal(info.context)
        if not (principal.has(Scope.ORDERS_READ) or principal.has(Scope.ORDERS_MANAGE)):
            raise ApiError(
                "This token lacks the orders:read or orders:manage scope", ApiErrorCode.FORBIDDEN
            )
        return True


async def staff_principal(context: Context) -> StaffPrincipal:
    """The request's staff principal; ``UNAUTHENTICATED`` without a valid staff token.

    For resolvers behind a scope permission class (which has already refused anybody
    else) that need the principal itself, to check its locations.
    """
    principal = await context.staff()
    if principal is None:
        raise ApiError(
            "A valid staff token is required (Authorization: Bearer <token>)",
            ApiErrorCode.UNAUTHENTICATED,
        )
    return principal


def require_location(principal: StaffPrincipal, location_id: LocationId) -> None:
    """``FORBIDDEN`` unless the token acts for ``location_id`` (unscoped ones do for all)."""
    if not principal.may_act_at(location_id):
        raise ApiError("This token does not act for that location", ApiErrorCode.FORBIDDEN)


async def staff_acting_at(context: Context, location_id: LocationId) -> StaffPrincipal:
    """The request's staff principal, when it may act at ``location_id``
    (``UNAUTHENTICATED`` without a token, ``FORBIDDEN`` for another location). For
    resolvers behind a scope permission class."""
    principal = await staff_principal(context)
    require_location(principal, location_id)
    return principal


def require_any_location(principal: StaffPrincipal, location_ids: Iterable[LocationId]) -> None:
    """``FORBIDDEN`` unless the token acts for one of ``location_ids``: the locations an
    order (or a return) has work at. An unscoped token passes; a scoped one never
    passes for something with work nowhere."""
    if principal.locations is None:
        return
    if principal.locations.isdisjoint(location_ids):
        raise ApiError(
            "This token does not act for any location of this order", ApiErrorCode.FORBIDDEN
        )


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
