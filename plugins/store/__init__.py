"""The built-in physical store channel adapter: shelf-price endings, and home delivery
for what the till orders from other locations (endless aisle)."""

from plugins.store.delivery import omnicart_delivery_options
from plugins.store.pricing import omnicart_price_lines
from plugins.store.settings import StoreSettings

settings_class = StoreSettings

__all__ = ["omnicart_delivery_options", "omnicart_price_lines", "settings_class"]
