"""A Meta shop (Facebook and Instagram shops) as an Omnicart channel.

Enable it in a marketplace-kind channel with ``{"app_secret": "..."}``: the platform
posts each order to ``POST /channels/{channel}/marketplace-orders`` signed with that
secret, and the order is imported like ``marketplaceOrderImport`` (allocated from the
channel's stock, at the shop's prices). ``safety_buffer_units`` keeps units back from
the shop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from omnicart import AvailabilityContext, Channel, MarketplaceOrder, hookimpl
from omnicart_social.orders import read_order
from omnicart_social.settings import SocialShopSettings
from omnicart_social.signature import SIGNATURE_HEADER, signature_of, verify

settings_class = SocialShopSettings

# The variant ids availability is asked for, given back as they came.
Key = TypeVar("Key")

__all__ = [
    "SIGNATURE_HEADER",
    "omnicart_marketplace_order",
    "omnicart_variant_availability",
    "settings_class",
    "signature_of",
]


@hookimpl
def omnicart_marketplace_order(
    channel: Channel, body: bytes, headers: Mapping[str, str], settings: SocialShopSettings
) -> MarketplaceOrder:
    verify(body, headers, settings.app_secret)
    return read_order(body)


@hookimpl
def omnicart_variant_availability(
    context: AvailabilityContext, quantities: Mapping[Key, int], settings: SocialShopSettings
) -> dict[Key, int] | None:
    if settings.safety_buffer_units == 0:
        return None
    return {key: max(0, units - settings.safety_buffer_units) for key, units in quantities.items()}
