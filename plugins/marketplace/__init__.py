"""The built-in marketplace channel adapter: commission-aware prices, a stock safety buffer."""

from plugins.marketplace.availability import omnicart_variant_availability
from plugins.marketplace.pricing import omnicart_price_lines
from plugins.marketplace.settings import MarketplaceSettings

settings_class = MarketplaceSettings

__all__ = ["omnicart_price_lines", "omnicart_variant_availability", "settings_class"]
