"""The moment every test's frozen clock starts at (the ``clock`` fixture)."""

from omnicart.kit.clock import FROZEN_AT

__all__ = ["FROZEN_AT"]
