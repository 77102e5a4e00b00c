"""The typed call of ``omnicart_marketplace_order`` (``core.hooks``): a marketplace's
webhook body read by the channel's plugins into a ``MarketplaceOrder``."""

from __future__ import annotations

from collections.abc import Mapping

from core.channels.model import Channel
from core.errors import PluginError
from core.orders.import_model import MarketplaceOrder, MarketplaceOrderRejected
from core.plugin_host import PluginHost

HOOK = "omnicart_marketplace_order"


async def parse_marketplace_order(
    plugins: PluginHost, channel: Channel, *, body: bytes, headers: Mapping[str, str]
) -> tuple[str, MarketplaceOrder]:
    """The order the first of the channel's plugins reads from ``body``, with that
    plugin's name.

    Raises ``MarketplaceOrderRejected`` (or ``MarketplaceSignatureInvalid``) as the
    plugin raised it, or when no plugin reads the body; ``PluginError`` for anything
    else a plugin raised or a result that is not a ``MarketplaceOrder``.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        answer = await plugins.first_answer(
            HOOK, channel, {"channel": channel, "body": body, "headers": lowered}
        )
    except PluginError as error:
        # A refusal is the plugin's answer, not its failure: pass it on as it is.
        if isinstance(error.__cause__, MarketplaceOrderRejected):
            raise error.__cause__ from None
        raise
    if answer is None:
        raise MarketplaceOrderRejected(
            f"No plugin of channel {channel.slug!r} reads marketplace orders in this format"
        )
    plugin, order = answer
    if not isinstance(order, MarketplaceOrder):
        raise PluginError(plugin, HOOK, TypeError("not a MarketplaceOrder"))
    return plugin, order
