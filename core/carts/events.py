"""Domain events of carts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.events.model import JsonValue, PublishedEvent
from core.ids import CartId

CART_TOPIC = "cart"


@dataclass(frozen=True, slots=True)
class CartChanged(PublishedEvent):
    """A cart's lines, email, addresses, channel, owner or status changed; ``version`` is
    its new one.

    Published on topic ``cart`` (by cart id, never by token) for ``cartChanged``.
    """

    topic: ClassVar[str] = CART_TOPIC

    cart_id: CartId
    version: int

    def subject_ids(self) -> tuple[int, ...]:
        return (self.cart_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {"cart_id": self.cart_id, "version": self.version}
