"""The built-in mobile app channel adapter: app-only pricing, the web shop's delivery
options and reserve-in-store."""

from plugins.mobile.delivery import omnicart_delivery_options
from plugins.mobile.pricing import omnicart_price_lines
from plugins.mobile.settings import MobileSettings

settings_class = MobileSettings

__all__ = ["omnicart_delivery_options", "omnicart_price_lines", "settings_class"]
