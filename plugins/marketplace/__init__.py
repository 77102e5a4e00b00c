"""The built-in marketplace channel adapter: commission-aware listing prices."""

from plugins.marketplace.pricing import omnicart_price_lines
from plugins.marketplace.settings import MarketplaceSettings

settings_class = MarketplaceSettings

__all__ = ["omnicart_price_lines", "settings_class"]
