"""Omnicart for plugin authors: the names a plugin needs, in one place.

A plugin package imports from here rather than from ``core`` directly::

    from omnicart import Money, PriceAdjustment, PricingContext, hookimpl

The hooks themselves (who calls them, when, how results combine) are documented in
``core/hooks.py`` and ``docs/plugins.md``; ``omnicart.testing`` is the pytest plugin
that runs a plugin's tests against an in-process Omnicart.
"""

from core.carts.address_checks import MailingAddressInput
from core.carts.addresses import MailingAddress
from core.carts.model import Cart
from core.channels.model import Channel
from core.delivery.model import (
    CheckoutContext,
    CheckoutProblem,
    DeliveryContext,
    DeliveryOption,
    DeliverySelection,
    FulfilmentPlan,
    SourcingContext,
)
from core.events.model import DeliveredEvent
from core.hooks import (
    AvailabilityContext,
    PriceAdjustment,
    PriceLine,
    PricingContext,
    hookimpl,
)
from core.money import Money
from core.orders import webhook_json
from core.orders.import_model import (
    MarketplaceOrder,
    MarketplaceOrderLine,
    MarketplaceOrderRejected,
    MarketplaceSignatureInvalid,
)
from core.payments.model import Authorization, PaymentContext, PaymentRequest, PaymentTransaction

__all__ = [
    "Authorization",
    "AvailabilityContext",
    "Cart",
    "Channel",
    "CheckoutContext",
    "CheckoutProblem",
    "DeliveredEvent",
    "DeliveryContext",
    "DeliveryOption",
    "DeliverySelection",
    "FulfilmentPlan",
    "MailingAddress",
    "MailingAddressInput",
    "MarketplaceOrder",
    "MarketplaceOrderLine",
    "MarketplaceOrderRejected",
    "MarketplaceSignatureInvalid",
    "Money",
    "PaymentContext",
    "PaymentRequest",
    "PaymentTransaction",
    "PriceAdjustment",
    "PriceLine",
    "PricingContext",
    "SourcingContext",
    "hookimpl",
    "webhook_json",
]
