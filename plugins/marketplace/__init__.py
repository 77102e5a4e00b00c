"""The built-in marketplace channel adapter: commission-aware prices, a stock safety
buffer, the marketplace's own delivery, and its orders in (a signed JSON webhook)."""

from plugins.marketplace.availability import omnicart_variant_availability
from plugins.marketplace.delivery import omnicart_delivery_options
from plugins.marketplace.orders import omnicart_marketplace_order
from plugins.marketplace.pricing import omnicart_price_lines
from plugins.marketplace.settings import MarketplaceSettings

settings_class = MarketplaceSettings

__all__ = [
    "omnicart_delivery_options",
    "omnicart_marketplace_order",
    "omnicart_price_lines",
    "omnicart_variant_availability",
    "settings_class",
]
