"""Store delivery: home delivery of what the till orders from the channel's other
locations (endless aisle), priced by the same table as the web shop
(``core.delivery.standard``), shaped by ``StoreSettings``."""

from __future__ import annotations

from core.carts.addresses import MailingAddress
from core.carts.model import Cart
from core.channels.model import Channel
from core.delivery.model import DeliveryContext, DeliveryOption
from core.delivery.standard import standard_options
from core.hooks import hookimpl
from plugins.store.settings import StoreSettings


@hookimpl
def omnicart_delivery_options(
    channel: Channel,
    cart: Cart,
    address: MailingAddress | None,
    context: DeliveryContext,
    settings: StoreSettings,
) -> list[DeliveryOption]:
    return standard_options(cart, context, settings)
