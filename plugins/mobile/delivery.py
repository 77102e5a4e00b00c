"""Mobile app delivery: the web shop's options plus reserve-in-store, paid at pick-up
(``core.delivery.standard``), shaped by ``MobileSettings``."""

from __future__ import annotations

from core.carts.addresses import MailingAddress
from core.carts.model import Cart
from core.channels.model import Channel
from core.delivery.model import DeliveryContext, DeliveryOption
from core.delivery.standard import standard_options
from core.hooks import hookimpl
from plugins.mobile.settings import MobileSettings


@hookimpl
def omnicart_delivery_options(
    channel: Channel,
    cart: Cart,
    address: MailingAddress | None,
    context: DeliveryContext,
    settings: MobileSettings,
) -> list[DeliveryOption]:
    return standard_options(
        cart, context, settings, reserve_in_store=settings.reserve_in_store_enabled
    )
