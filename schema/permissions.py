"""Staff scopes as strawberry permission classes.

A missing or unknown token is ``UNAUTHENTICATED``; a valid token without the scope
is ``FORBIDDEN``. Both stop the field before its resolver runs, so nothing is written.
"""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry
from strawberry.permission import BasePermission

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
