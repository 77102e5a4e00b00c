"""A published event of another domain, as the carts domain will add it: only the class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.events.model import JsonValue, PublishedEvent

CART_TOPIC = "cart"


@dataclass(frozen=True, slots=True)
class CartChanged(PublishedEvent):
    topic: ClassVar[str] = CART_TOPIC

    cart_id: int
    version: int

    def subject_ids(self) -> tuple[int, ...]:
        return (self.cart_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {"cart_id": self.cart_id, "version": self.version}
