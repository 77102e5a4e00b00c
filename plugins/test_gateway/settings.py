"""Settings of the test gateway, as a channel enables it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    """How the gateway answers: ``approve``, ``decline``, or ``fail`` (it raises, as a
    gateway that is down or answers garbage would)."""

    APPROVE = "approve"
    DECLINE = "decline"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    # How authorisations are answered; a decline token or an amount above the limit
    # declines even in approve mode.
    mode: str = Mode.APPROVE
    # Authorisations above this many minor units are declined; None = no limit.
    decline_above_minor_units: int | None = None
    # How captures, voids and refunds are answered.
    capture_mode: str = Mode.APPROVE
    void_mode: str = Mode.APPROVE
    refund_mode: str = Mode.APPROVE

    def __post_init__(self) -> None:
        modes = {mode.value for mode in Mode}
        for name in ("mode", "capture_mode", "void_mode", "refund_mode"):
            if getattr(self, name) not in modes:
                raise ValueError(f"{name} must be one of approve, decline, fail")
        limit = self.decline_above_minor_units
        if limit is not None and limit < 0:
            raise ValueError("decline_above_minor_units must not be negative")
