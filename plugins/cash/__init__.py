"""The built-in cash provider of the store till (issue 15): notes and coins in the drawer.

The till sends what the shopper handed over, ``{"tendered": "50.00"}``; less than the
total is declined with ``CASH_TENDERED_SHORT``, otherwise the authorisation is approved
with the change to give back. Capturing records the cash as taken; a refund is paid
from the drawer.
"""

from plugins.cash.drawer import (
    omnicart_payment_authorize,
    omnicart_payment_capture,
    omnicart_payment_refund,
    omnicart_payment_void,
)
from plugins.cash.settings import CashSettings

provider = "cash"
settings_class = CashSettings

__all__ = [
    "omnicart_payment_authorize",
    "omnicart_payment_capture",
    "omnicart_payment_refund",
    "omnicart_payment_void",
    "provider",
    "settings_class",
]
