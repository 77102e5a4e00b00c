"""Settings of the card-present test terminal, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CardPresentSettings:
    # The terminal's name, part of every provider reference.
    terminal: str = "test-terminal"

    def __post_init__(self) -> None:
        if not self.terminal.strip() or len(self.terminal) > 32:
            raise ValueError("terminal must be 1 to 32 characters")
