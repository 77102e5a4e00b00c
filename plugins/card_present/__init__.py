"""The built-in card-present provider of the store till (issue 15): a test terminal.

The till sends the card the terminal read, ``{"card": "4242 4242 4242 4242"}``. Like a
processor's test cards, ``4000 0000 0000 0002`` is declined (``PAYMENT_DECLINED``, and
the sale writes nothing); any other number of 12 to 19 digits is approved. Captures,
voids and refunds go back to the card and always succeed. For development, demos and
tests, never for real money; references are derived from the sale's number, so asking
twice gives the same answer.
"""

from plugins.card_present.settings import CardPresentSettings
from plugins.card_present.terminal import (
    omnicart_payment_authorize,
    omnicart_payment_capture,
    omnicart_payment_refund,
    omnicart_payment_void,
)

provider = "card-present"
settings_class = CardPresentSettings

__all__ = [
    "omnicart_payment_authorize",
    "omnicart_payment_capture",
    "omnicart_payment_refund",
    "omnicart_payment_void",
    "provider",
    "settings_class",
]
