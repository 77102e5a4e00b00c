"""A marketplace's order as values (issue 15): what ``marketplaceOrderImport`` takes and
what a channel adapter's ``omnicart_marketplace_order`` hook gives, and how an adapter
refuses a webhook it cannot trust or read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.carts.address_checks import MailingAddressInput
from core.ids import OrderId
from core.money import Money


@dataclass(frozen=True, slots=True)
class MarketplaceOrderLine:
    """A line as the marketplace sold it: the SKU, how many, at what unit price."""

    sku: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True, slots=True)
class MarketplaceOrder:
    """An order placed on a marketplace, to be imported into its channel.

    ``external_id`` is the marketplace's own order id: imports are idempotent by
    (channel, external_id). Prices and the delivery amount are in the channel's
    currency and are kept as given.
    """

    external_id: str
    email: str
    shipping_address: MailingAddressInput
    lines: tuple[MarketplaceOrderLine, ...]
    delivery_amount: Money
    placed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ImportedOrder:
    """What an import did: the order (new, or the earlier import's: ``replayed``)."""

    order_id: OrderId
    number: str
    replayed: bool


class MarketplaceOrderRejected(Exception):
    """Raised by a plugin's ``omnicart_marketplace_order`` for a body it will not import
    (malformed, or not in its format): the request is refused and nothing is written."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class MarketplaceSignatureInvalid(MarketplaceOrderRejected):
    """The webhook's signature is missing or wrong: the sender is not the marketplace."""
