"""The settings a channel enables the social shop with."""

from __future__ import annotations

from dataclasses import dataclass

# Shorter than this, a secret could be guessed; Meta's app secrets are 32 hex digits.
MIN_SECRET_LENGTH = 16


@dataclass(frozen=True, slots=True)
class SocialShopSettings:
    # The Meta app's secret: every order webhook is signed with it (X-Hub-Signature-256).
    app_secret: str
    # Units of each variant never offered in the social shop: a live sale or a viral
    # post sells faster than stock updates reach the platform.
    safety_buffer_units: int = 0

    def __post_init__(self) -> None:
        if len(self.app_secret.strip()) < MIN_SECRET_LENGTH:
            raise ValueError(f"app_secret must have at least {MIN_SECRET_LENGTH} characters")
        if not 0 <= self.safety_buffer_units <= 1_000_000:
            raise ValueError("safety_buffer_units must be between 0 and 1000000")
