"""Published catalog events: a variant's price in a channel changed (issue 15)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from core.events.model import JsonValue, PublishedEvent
from core.ids import ChannelId, VariantId
from core.money import Money

# Subscribers of this topic filter by variant id, as for stock.
PRICE_TOPIC: Final = "price"


@dataclass(frozen=True, slots=True)
class PriceChanged(PublishedEvent):
    """A variant's base price in a channel was set or removed (``price`` None: not sold there).

    The payload carries the new price (amount as an exact decimal string, and currency),
    an exception to "ids and codes only, never amounts". That rule keeps private data
    (what a customer paid, payment details) out of the outbox; a base price is public
    (every storefront shows it), and a marketplace connector must push it to keep its
    listing current. Re-reading it instead would race the next change: the event would
    say "changed" while the read returns a later price, out of order. So the payload says
    what the price became, and events of one variant arrive in commit order.
    """

    topic: ClassVar[str] = PRICE_TOPIC

    variant_id: VariantId
    sku: str
    channel_id: ChannelId
    price: Money | None

    def subject_ids(self) -> tuple[int, ...]:
        return (self.variant_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {
            "variant_id": self.variant_id,
            "sku": self.sku,
            "channel_id": self.channel_id,
            "price": None
            if self.price is None
            else {"amount": self.price.amount_string(), "currency": self.price.currency},
        }
