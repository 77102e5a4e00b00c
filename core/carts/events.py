"""Domain events of carts."""

from __future__ import annotations

from dataclasses import dataclass

from core.ids import CartId


@dataclass(frozen=True, slots=True)
class CartChanged:
    """A cart's lines, email, channel, owner or status changed; ``version`` is its new one."""

    cart_id: CartId
    version: int
