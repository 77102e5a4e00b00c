"""The built-in mobile app channel adapter: app-only pricing."""

from plugins.mobile.pricing import omnicart_price_lines
from plugins.mobile.settings import MobileSettings

settings_class = MobileSettings

__all__ = ["omnicart_price_lines", "settings_class"]
