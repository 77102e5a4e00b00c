"""The checks of a marketplace's order that need no database (``core.orders.imports``):
each problem on its input path, all found at once."""

from __future__ import annotations

from core.errors import ErrorCode, Problem
from core.orders.import_model import MarketplaceOrder

EXTERNAL_ID_MAX_LENGTH = 128
MAX_LINES = 250


def input_problems(order: MarketplaceOrder) -> list[Problem]:
    """The external id, lines, quantities and amounts, before the channel is read."""
    problems: list[Problem] = []
    external_id = order.external_id.strip()
    if not external_id:
        problems.append(Problem(ErrorCode.REQUIRED, "The external id is required", "external_id"))
    elif len(external_id) > EXTERNAL_ID_MAX_LENGTH or external_id != order.external_id:
        problems.append(
            Problem(
                ErrorCode.INVALID,
                f"The external id has at most {EXTERNAL_ID_MAX_LENGTH} characters, "
                "without surrounding spaces",
                "external_id",
            )
        )
    if not order.lines:
        problems.append(Problem(ErrorCode.REQUIRED, "An order needs at least one line", "lines"))
    if len(order.lines) > MAX_LINES:
        problems.append(
            Problem(ErrorCode.TOO_MANY_LINES, f"At most {MAX_LINES} lines per order", "lines")
        )
    for index, line in enumerate(order.lines):
        if not line.sku.strip():
            problems.append(
                Problem(ErrorCode.REQUIRED, "The SKU is required", f"lines.{index}.sku")
            )
        if line.quantity <= 0:
            problems.append(
                Problem(
                    ErrorCode.INVALID_QUANTITY,
                    "The quantity must be at least 1",
                    f"lines.{index}.quantity",
                )
            )
        if line.unit_price.is_negative():
            problems.append(
                Problem(
                    ErrorCode.NEGATIVE_PRICE,
                    "The unit price must not be negative",
                    f"lines.{index}.unit_price",
                )
            )
    if order.delivery_amount.is_negative():
        problems.append(
            Problem(
                ErrorCode.NEGATIVE_PRICE,
                "The delivery amount must not be negative",
                "delivery_amount",
            )
        )
    return problems


def currency_problems(order: MarketplaceOrder, currency: str) -> list[Problem]:
    """``CURRENCY_MISMATCH`` on each amount not in the channel's ``currency``."""
    amounts = [
        *((f"lines.{index}.unit_price", line.unit_price) for index, line in enumerate(order.lines)),
        ("delivery_amount", order.delivery_amount),
    ]
    return [
        Problem(
            ErrorCode.CURRENCY_MISMATCH,
            f"Amounts are in the channel's currency, {currency}, not {amount.currency}",
            f"{field}.currency",
        )
        for field, amount in amounts
        if amount.currency != currency
    ]
