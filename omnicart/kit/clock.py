"""The moment every test's frozen clock starts at (the ``clock`` fixture of our tests and the
plugin kit's ``omnicart`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime

FROZEN_AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
