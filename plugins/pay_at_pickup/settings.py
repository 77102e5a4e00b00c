"""Settings of the pay-at-pickup provider, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass

INSTRUCTIONS_MAX_LENGTH = 500


@dataclass(frozen=True, slots=True)
class PayAtPickupSettings:
    # Shown to the shopper with the pending payment (the authorisation's message).
    instructions: str = "Pay at the store when you collect your order."

    def __post_init__(self) -> None:
        if not self.instructions.strip():
            raise ValueError("instructions must not be empty")
        if len(self.instructions) > INSTRUCTIONS_MAX_LENGTH:
            raise ValueError(f"instructions must be at most {INSTRUCTIONS_MAX_LENGTH} characters")
