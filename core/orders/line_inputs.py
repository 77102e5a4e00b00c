"""The checks every staff or customer input naming order lines and quantities shares
(fulfilling, rerouting, returning, refunding by lines): at least one line, at most
``MAX_LINES``, each quantity above zero, each line named once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from core.errors import ErrorCode, Problem
from core.ids import OrderLineId

MAX_LINES: Final = 250


class LineQuantity(Protocol):
    @property
    def order_line_id(self) -> OrderLineId: ...

    @property
    def quantity(self) -> int: ...


def line_quantity_problems(lines: Sequence[LineQuantity]) -> list[Problem]:
    """What is wrong with ``lines``, each on its path (``lines.<i>.quantity``, ...)."""
    if not lines:
        return [Problem(ErrorCode.REQUIRED, "Name at least one line", "lines")]
    if len(lines) > MAX_LINES:
        return [Problem(ErrorCode.INVALID, f"At most {MAX_LINES} lines at once", "lines")]
    problems: list[Problem] = []
    seen: set[OrderLineId] = set()
    for index, line in enumerate(lines):
        if line.quantity <= 0:
            problems.append(
                Problem(
                    ErrorCode.INVALID_QUANTITY,
                    "The quantity must be above zero",
                    f"lines.{index}.quantity",
                )
            )
        if line.order_line_id in seen:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE,
                    "Each order line is named once",
                    f"lines.{index}.order_line_id",
                )
            )
        seen.add(line.order_line_id)
    return problems
