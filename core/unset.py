"""``UNSET``: "leave this as it is" in partial updates.

An update service takes every changeable field as ``T | Unset`` (or
``T | Unset | None`` where ``None`` clears the field), defaulting to ``UNSET``.
A one-member enum, so ``value is UNSET`` narrows the type for mypy.
"""

from __future__ import annotations

from enum import Enum
from typing import Final


class Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
