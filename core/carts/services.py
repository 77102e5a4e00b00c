"""Cart use cases: the one place the GraphQL layer, the CLI and tests call.

A thin facade over the topic modules:

- ``core.carts.inputs``: what a request carries and the checks made on it;
- ``core.carts.reading``: a cart as its holder may see it;
- ``core.carts.creation``: a new cart;
- ``core.carts.lines``: adding, setting, removing lines, the email;
- ``core.carts.address_changes``: the shipping and billing address (checked by
  ``core.carts.address_checks``);
- ``core.carts.resume``: moving a cart to another channel;
- ``core.carts.delivery_selection``: choosing delivery options (``core.delivery``);
- ``core.carts.change``: the change engine they run on (one transaction each);
- ``core.carts.fast_add``: the common add read without locks and written in one
  guarded commit;
- ``core.carts.idempotency``: retried requests apply once;
- ``core.carts.steps``: the cart write steps every path uses.
"""

from core.carts.address_changes import set_billing_address, set_shipping_address
from core.carts.address_checks import MailingAddressInput
from core.carts.addresses import MailingAddress
from core.carts.creation import create_cart
from core.carts.delivery_selection import DeliveryChoice, select_delivery_options
from core.carts.idempotency import Operation
from core.carts.inputs import (
    DEFAULT_LIMITS,
    Caller,
    CartLimits,
    CartResult,
    Guard,
    LineInput,
    LineQuantity,
    token_problems,
)
from core.carts.lines import add_lines, clear_cart, remove_lines, update_email, update_lines
from core.carts.reading import active_cart, owned_cart, read_cart
from core.carts.resume import ResumeReport, ResumeResult, resume_cart

__all__ = [
    "DEFAULT_LIMITS",
    "Caller",
    "CartLimits",
    "CartResult",
    "DeliveryChoice",
    "Guard",
    "LineInput",
    "LineQuantity",
    "MailingAddress",
    "MailingAddressInput",
    "Operation",
    "ResumeReport",
    "ResumeResult",
    "active_cart",
    "add_lines",
    "clear_cart",
    "create_cart",
    "owned_cart",
    "read_cart",
    "remove_lines",
    "resume_cart",
    "select_delivery_options",
    "set_billing_address",
    "set_shipping_address",
    "token_problems",
    "update_email",
    "update_lines",
]
