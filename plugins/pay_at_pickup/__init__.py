"""The built-in pay-at-pickup provider: the shopper pays when collecting the order.

Nothing is authorised at checkout (the authorisation is PENDING); staff capture the
amount at collection. Only pickup-only orders may use it (``requires_pickup``).
"""

from plugins.pay_at_pickup.collection import (
    omnicart_payment_authorize,
    omnicart_payment_capture,
    omnicart_payment_refund,
    omnicart_payment_void,
)
from plugins.pay_at_pickup.settings import PayAtPickupSettings

provider = "pay-at-pickup"
requires_pickup = True
settings_class = PayAtPickupSettings

__all__ = [
    "omnicart_payment_authorize",
    "omnicart_payment_capture",
    "omnicart_payment_refund",
    "omnicart_payment_void",
    "provider",
    "requires_pickup",
    "settings_class",
]
