"""Marketplace delivery: one MARKETPLACE option at zero cost; the marketplace delivers
and charges the shopper itself."""

from __future__ import annotations

from core.carts.model import Cart
from core.channels.model import Channel
from core.delivery.model import DeliveryContext, DeliveryMethod, DeliveryOption
from core.hooks import hookimpl
from core.money import Money
from plugins.marketplace.settings import MarketplaceSettings

HANDLE = "marketplace"


@hookimpl
def omnicart_delivery_options(
    channel: Channel, cart: Cart, context: DeliveryContext, settings: MarketplaceSettings
) -> list[DeliveryOption]:
    if not cart.lines:
        return []
    return [
        DeliveryOption(
            handle=HANDLE,
            title=settings.delivery_title,
            method=DeliveryMethod.MARKETPLACE,
            cost=Money.zero(channel.currency),
        )
    ]
