"""Plugins for tests, registered like any other (``PluginHost``): one whose pricing fails."""

from __future__ import annotations

from collections.abc import Sequence

from core.hooks import PriceAdjustment, PriceLine, hookimpl


class FailingPlugin:
    @hookimpl
    def omnicart_price_lines(self, lines: Sequence[PriceLine]) -> list[PriceAdjustment]:
        raise RuntimeError("pricing service down")
