"""The built-in physical store channel adapter: shelf-price endings."""

from plugins.store.pricing import omnicart_price_lines
from plugins.store.settings import StoreSettings

settings_class = StoreSettings

__all__ = ["omnicart_price_lines", "settings_class"]
