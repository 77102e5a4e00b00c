"""The built-in test payment gateway: approves, declines or fails as its settings say.

For development, demos and end-to-end tests of checkout, never for real money. It is
a pure function of its inputs: no state, so it is deterministic, safe under any
concurrency and idempotent by the request's reference (docs/plugins.md).
"""

from plugins.test_gateway.gateway import (
    omnicart_payment_authorize,
    omnicart_payment_capture,
    omnicart_payment_refund,
    omnicart_payment_void,
)
from plugins.test_gateway.settings import GatewaySettings

provider = "test-gateway"
settings_class = GatewaySettings

__all__ = [
    "omnicart_payment_authorize",
    "omnicart_payment_capture",
    "omnicart_payment_refund",
    "omnicart_payment_void",
    "provider",
    "settings_class",
]
