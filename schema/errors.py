"""Errors as the API shows them: UserError on payloads, coded GraphQL errors otherwise."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import strawberry
from graphql import GraphQLError

from core.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)

UserErrorCode = strawberry.enum(ErrorCode, name="UserErrorCode", description="What went wrong.")


@strawberry.type(description="A problem with a mutation's input; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, e.g. ['input', 'lines', '1', 'quantity']."
    )
    code: UserErrorCode  # type: ignore[valid-type]  # strawberry.enum returns the enum itself
    message: str


_SNAKE = re.compile(r"_([a-z])")


def _camel(segment: str) -> str:
    return _SNAKE.sub(lambda match: match.group(1).upper(), segment)


def user_errors(error: DomainError, *, prefix: str | None = "input") -> list[UserError]:
    """Turn a ``DomainError`` into a payload's ``errors`` list, camel-casing field paths."""
    result: list[UserError] = []
    for problem in error.problems:
        path: list[str] | None = None
        if problem.field is not None:
            path = ([prefix] if prefix else []) + [_camel(p) for p in problem.field.split(".")]
        result.append(UserError(field=path, code=problem.code, message=problem.message))
    return result


class ApiErrorCode(StrEnum):
    """``extensions.code`` of top-level GraphQL errors."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    BAD_REQUEST = "BAD_REQUEST"
    PLUGIN_FAILED = "PLUGIN_FAILED"
    # The database could not be reached or dropped the connection (a restart, a
    # failover): retry with the same idempotency key (issue 12).
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ApiError(GraphQLError):
    """A top-level GraphQL error with ``extensions.code``; shown to clients as is."""

    def __init__(self, message: str, code: ApiErrorCode | ErrorCode, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": str(code.value), **extensions})


def bad_input(error: DomainError) -> ApiError:
    """A query argument problem (unknown channel, bad cursor) as a top-level error."""
    problem = error.problems[0]
    return ApiError(problem.message, ApiErrorCode.BAD_USER_INPUT, reason=str(problem.code))


DATABASE_UNAVAILABLE_MESSAGE = (
    "The database is unavailable; retry the request with the same idempotency key."
)

# Seconds a client is told to wait (``Retry-After``) before retrying a request that
# found the database unavailable: a PostgreSQL restart or failover takes about that.
RETRY_AFTER_SECONDS = 1


def unanswered_for_outage(response: Mapping[str, Any]) -> bool:
    """Whether a GraphQL response has no data at all because the database was unavailable.

    No data: ``data`` null, or every top-level field null. Such a response goes out
    as HTTP 503 with ``Retry-After``, so that a client retrying on 5xx retries it; one
    where some field has data stays 200 and carries the code on its errors.
    """
    errors = response.get("errors") or ()
    if not any(_code(error) == ApiErrorCode.DATABASE_UNAVAILABLE for error in errors):
        return False
    data = response.get("data")
    return data is None or all(value is None for value in data.values())


def _code(error: Mapping[str, Any]) -> object:
    return (error.get("extensions") or {}).get("code")
