"""Mutation input turned into core values, and core problems turned into payload errors.

Parsing problems (a malformed ID, an amount with too many decimals, an unknown
channel) are ``DomainError`` like a service's, so a resolver reports both the
same way: in the payload's ``errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from strawberry.types.unset import UnsetType

from core.channels.model import Channel
from core.errors import DomainError, ErrorCode, Problem
from core.money import Money, UnknownCurrencyError
from core.unset import UNSET, Unset
from schema.context import Context
from schema.errors import ApiError, UserError, user_errors
from schema.money import MoneyInput
from schema.relay import from_global_id

T = TypeVar("T")
R = TypeVar("R")

# Update mutations take the object's ID as an argument beside ``input``.
_ARGUMENTS = frozenset({"id"})


def payload_errors(error: DomainError) -> list[UserError]:
    """The payload's ``errors``: ``id`` points at the argument, anything else into ``input``."""
    errors: list[UserError] = []
    for problem in error.problems:
        on_argument = problem.field in _ARGUMENTS
        errors += user_errors(DomainError([problem]), prefix=None if on_argument else "input")
    return errors


def decode_id(global_id: str, type_name: str, *, field: str) -> int:
    """The database key inside a global ID of ``type_name``; ``INVALID_ID`` otherwise."""
    return from_global_id(global_id, type_name, field=field)[1]


def decode_ids(global_ids: Sequence[str], type_name: str, *, field: str) -> list[int]:
    """Keys of a list of global IDs; ``field`` is formatted with each index."""
    keys: list[int] = []
    problems: list[Problem] = []
    for index, global_id in enumerate(global_ids):
        try:
            keys.append(decode_id(global_id, type_name, field=field.format(index)))
        except DomainError as error:
            problems += error.problems
    if problems:
        raise DomainError(problems)
    return keys


def parse_money(value: MoneyInput, *, field: str) -> Money:
    """An exact ``Money``; ``INVALID_CURRENCY`` or ``INVALID_AMOUNT`` otherwise (never rounded)."""
    try:
        return Money.parse(value.amount, value.currency)
    except UnknownCurrencyError:
        raise DomainError.single(
            ErrorCode.INVALID_CURRENCY,
            f"{value.currency!r} is not a supported ISO 4217 currency code such as 'USD'",
            f"{field}.currency",
        ) from None
    except ValueError as error:
        raise DomainError.single(ErrorCode.INVALID_AMOUNT, str(error), f"{field}.amount") from None


async def input_channel(context: Context, slug: str, *, field: str = "channel") -> Channel:
    """The channel an input names by slug; ``UNKNOWN_CHANNEL`` when there is none."""
    unknown = DomainError.single(ErrorCode.UNKNOWN_CHANNEL, f"There is no channel {slug!r}", field)
    if not slug:
        raise unknown
    try:
        return await context.channel(slug)
    except ApiError:
        # Context.channel reports an unknown argument as a top-level error; in a
        # mutation's input it is the caller's mistake, shown in the payload.
        raise unknown from None


def given(value: T | UnsetType | None) -> T | Unset:
    """An omitted or null update field leaves the stored value as it is."""
    if value is None or isinstance(value, UnsetType):
        return UNSET
    return value


def given_as(value: T | UnsetType | None, convert: Callable[[T], R]) -> R | Unset:
    """Like ``given``, converting a value that is there (an input object to a core value)."""
    if value is None or isinstance(value, UnsetType):
        return UNSET
    return convert(value)


def clearable(value: T | UnsetType | None) -> T | Unset | None:
    """An omitted update field leaves the value; null clears it."""
    if isinstance(value, UnsetType):
        return UNSET
    return value
