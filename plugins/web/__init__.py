"""The built-in web shop channel adapter: shop-wide and SKU-scoped sales, home delivery
and click and collect."""

from plugins.web.delivery import omnicart_delivery_options
from plugins.web.pricing import omnicart_price_lines
from plugins.web.settings import WebSettings

settings_class = WebSettings

__all__ = ["omnicart_delivery_options", "omnicart_price_lines", "settings_class"]
