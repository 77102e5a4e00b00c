"""Web shop delivery: home delivery priced by a table, click and collect at the
channel's pick-up stores (``core.delivery.standard``), shaped by ``WebSettings``."""

from __future__ import annotations

from core.carts.addresses import MailingAddress
from core.carts.model import Cart
from core.channels.model import Channel
from core.delivery.model import DeliveryContext, DeliveryOption
from core.delivery.standard import standard_options
from core.hooks import hookimpl
from plugins.web.settings import WebSettings


@hookimpl
def omnicart_delivery_options(
    channel: Channel,
    cart: Cart,
    address: MailingAddress | None,
    context: DeliveryContext,
    settings: WebSettings,
) -> list[DeliveryOption]:
    return standard_options(cart, context, settings)
