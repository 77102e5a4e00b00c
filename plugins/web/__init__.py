"""The built-in web shop channel adapter: shop-wide and SKU-scoped sales."""

from plugins.web.pricing import omnicart_price_lines
from plugins.web.settings import WebSettings

settings_class = WebSettings

__all__ = ["omnicart_price_lines", "settings_class"]
