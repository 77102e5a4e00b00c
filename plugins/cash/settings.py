"""Settings of the cash provider, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CashSettings:
    # Said with a refund: where the money comes from.
    refund_note: str = "Paid back in cash from the drawer"

    def __post_init__(self) -> None:
        if not self.refund_note.strip():
            raise ValueError("refund_note must not be empty")
