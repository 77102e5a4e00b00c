"""What a cart request carries, and the checks made on it before anything is read.

Every check returns ``Problem``s (code, message, input path) so a service can report
all of a request's problems at once and write nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from core.carts import tokens
from core.carts.model import Cart, CartLine, CartStatus, PricedCart, SaleInfo
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartLineId, CustomerId, VariantId
from core.validation import email_problems

IDEMPOTENCY_KEY_LENGTH = (16, 255)


@dataclass(frozen=True, slots=True)
class CartLimits:
    """Configured bounds (``OMNICART_CART_MAX_LINE_QUANTITY``, ``OMNICART_CART_MAX_LINES``)."""

    max_line_quantity: int = 999
    max_lines: int = 250


DEFAULT_LIMITS = CartLimits()


@dataclass(frozen=True, slots=True)
class LineInput:
    variant_id: VariantId
    quantity: int


@dataclass(frozen=True, slots=True)
class LineQuantity:
    line_id: CartLineId
    quantity: int


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends the request: a logged-in customer, or nobody but the token holder."""

    customer_id: CustomerId | None = None


@dataclass(frozen=True, slots=True)
class Guard:
    """Optional concurrency and retry guards of a change."""

    expected_version: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class CartResult:
    cart: PricedCart
    # The token: returned by cartCreate only (and its retries).
    token: str | None = None
    # A retry of an earlier request with the same idempotency key: nothing was applied.
    replayed: bool = False


def token_problems(token: str, field: str = "token") -> list[Problem]:
    if tokens.looks_like_token(token):
        return []
    return [Problem(ErrorCode.INVALID_CART_TOKEN, "This is not a cart token", field)]


def guard_problems(guard: Guard) -> list[Problem]:
    problems: list[Problem] = []
    if guard.expected_version is not None and guard.expected_version < 0:
        problems.append(Problem(ErrorCode.INVALID, "A version is not negative", "expected_version"))
    key = guard.idempotency_key
    if key is not None:
        low, high = IDEMPOTENCY_KEY_LENGTH
        if not low <= len(key) <= high or not key.isprintable():
            problems.append(
                Problem(
                    ErrorCode.INVALID,
                    f"An idempotency key is {low} to {high} printable characters "
                    "(a UUID is a good one)",
                    "idempotency_key",
                )
            )
    return problems


def quantity_problems(
    quantity: int, field: str, limits: CartLimits, *, zero: bool
) -> list[Problem]:
    low = 0 if zero else 1
    if low <= quantity <= limits.max_line_quantity:
        return []
    return [
        Problem(
            ErrorCode.INVALID_QUANTITY,
            f"A quantity is between {low} and {limits.max_line_quantity}",
            field,
        )
    ]


def line_quantity_problems(
    lines: Sequence[LineInput | LineQuantity], limits: CartLimits, *, zero: bool
) -> list[Problem]:
    """Each line's quantity in range, and at least one line."""
    problems = [
        problem
        for index, line in enumerate(lines)
        for problem in quantity_problems(
            line.quantity, f"lines.{index}.quantity", limits, zero=zero
        )
    ]
    if not lines:
        problems.append(Problem(ErrorCode.REQUIRED, "Give at least one line", "lines"))
    return problems


def cart_email_problems(email: str) -> list[Problem]:
    """A cart's email is optional: "" clears it; anything else must be an address."""
    return email_problems(email) if email else []


def line_problems(lines: Sequence[LineInput], info: Mapping[VariantId, SaleInfo]) -> list[Problem]:
    """Variants that do not exist or are not sold in the cart's channel."""
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        found = info.get(line.variant_id)
        if found is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_VARIANT,
                    "There is no such variant",
                    f"lines.{index}.variant_id",
                )
            )
        elif found.base_price is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_SOLD_IN_CHANNEL,
                    "This variant is not sold in the cart's channel",
                    f"lines.{index}.variant_id",
                )
            )
    return problems


def merge_inputs(lines: Sequence[LineInput]) -> dict[VariantId, int]:
    """Quantities per variant: the same variant twice in one request adds up."""
    wanted: dict[VariantId, int] = {}
    for line in lines:
        wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
    return wanted


def first_lines(lines: Sequence[LineInput]) -> dict[VariantId, int]:
    """Per variant, the index of the first input line naming it: where a refusal of the
    variant's merged quantity is reported (``lines.<i>.quantity``)."""
    at: dict[VariantId, int] = {}
    for index, line in enumerate(lines):
        at.setdefault(line.variant_id, index)
    return at


def line_field(at: Mapping[VariantId, int], variant_id: VariantId, field: str) -> str:
    """``lines.<i>.<field>`` for the input line asking for ``variant_id``; ``lines`` when
    no input line did."""
    index = at.get(variant_id)
    return "lines" if index is None else f"lines.{index}.{field}"


@contextmanager
def refused_on(field: str) -> Iterator[None]:
    """Refusals of a quantity raised inside (the stock's ``INSUFFICIENT_STOCK`` names
    ``quantity``) name ``field`` instead: the input line that asked for it."""
    try:
        yield
    except DomainError as error:
        raise DomainError(
            [replace(p, field=field) if p.field == "quantity" else p for p in error.problems]
        ) from error


def too_many_lines(limits: CartLimits) -> Problem:
    return Problem(
        ErrorCode.TOO_MANY_LINES, f"A cart holds at most {limits.max_lines} lines", "lines"
    )


def cart_not_found(field: str = "token") -> DomainError:
    return DomainError.single(ErrorCode.CART_NOT_FOUND, "There is no cart with this token", field)


def cart_not_active(status: CartStatus, field: str = "token") -> DomainError:
    why = (
        "was checked out and became an order"
        if status is CartStatus.COMPLETED
        else "was merged into another one"
    )
    return DomainError.single(
        ErrorCode.CART_NOT_ACTIVE, f"This cart {why} and can no longer change", field
    )


def may_use(cart: Cart, caller: Caller) -> bool:
    """A customer's cart is the token holder's and that customer's, nobody else's."""
    return cart.customer_id is None or caller.customer_id in (None, cart.customer_id)


def ordered(lines: Collection[CartLine]) -> tuple[CartLine, ...]:
    """Lines in the order they were first added."""
    return tuple(sorted(lines, key=lambda line: (line.created_at, line.id)))
