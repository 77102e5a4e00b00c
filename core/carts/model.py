"""Carts as values: the stored cart, its priced view, problems and merge reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.carts.addresses import MailingAddress
from core.channels.model import Channel
from core.ids import CartId, CartLineId, ChannelId, CustomerId, ProductId, VariantId
from core.money import Money


class CartStatus(StrEnum):
    ACTIVE = "active"
    # Merged into a customer's cart on login; kept read-only so other devices holding
    # its token see where it went.
    MERGED = "merged"
    # Checked out: the order it became holds its stock; kept read-only.
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class CartLine:
    id: CartLineId
    variant_id: VariantId
    quantity: int
    # The channel's base unit price when the line was last added or changed.
    unit_price_when_added: Money | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Cart:
    id: CartId
    channel_id: ChannelId
    customer_id: CustomerId | None
    email: str
    status: CartStatus
    merged_into_id: CartId | None
    version: int
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    lines: tuple[CartLine, ...]
    # The expiry the cart's reservations were last pushed to (see core.carts.change.touch).
    holds_until: datetime | None = None
    shipping_address: MailingAddress | None = None
    billing_address: MailingAddress | None = None
    # The shopper's delivery choice: (delivery group id, option handle) pairs sorted by
    # group id (``core.delivery``); a group the cart no longer has is ignored.
    delivery_selection: tuple[tuple[str, str], ...] = ()
    # The buyer's attributes, (key, value) pairs in the order given (core.carts.attributes):
    # what the pricing plugins see as ``PricingContext.attributes``.
    attributes: tuple[tuple[str, str], ...] = ()

    def line_for(self, variant_id: VariantId) -> CartLine | None:
        for line in self.lines:
            if line.variant_id == variant_id:
                return line
        return None


@dataclass(frozen=True, slots=True)
class SaleInfo:
    """What the catalog says about a variant in a channel right now."""

    variant_id: VariantId
    product_id: ProductId
    sku: str
    # None: no price in the channel, or the product is not published there.
    base_price: Money | None


@dataclass(frozen=True, slots=True)
class CartAdjustment:
    """A price adjustment over the whole cart, with the plugin that made it."""

    label: str
    plugin: str
    amount: Money


@dataclass(frozen=True, slots=True)
class LineCost:
    amount_per_quantity: Money
    subtotal_amount: Money
    total_amount: Money
    adjustments: tuple[CartAdjustment, ...] = ()


@dataclass(frozen=True, slots=True)
class CartCost:
    subtotal_amount: Money
    # The lines after adjustments plus ``delivery_amount``.
    total_amount: Money
    adjustments: tuple[CartAdjustment, ...]
    # What the selected delivery options cost (zero when nothing is selected).
    delivery_amount: Money | None = None


@dataclass(frozen=True, slots=True)
class PricedCart:
    """A cart with every line priced in its channel now (``line_costs`` by line id)."""

    cart: Cart
    channel: Channel
    line_costs: dict[CartLineId, LineCost]
    sale_info: dict[VariantId, SaleInfo]
    cost: CartCost

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.cart.lines)


class CartProblemCode(StrEnum):
    OUT_OF_STOCK = "OUT_OF_STOCK"
    QUANTITY_ABOVE_AVAILABILITY = "QUANTITY_ABOVE_AVAILABILITY"
    PRICE_CHANGED = "PRICE_CHANGED"
    NOT_SOLD_IN_CHANNEL = "NOT_SOLD_IN_CHANNEL"


@dataclass(frozen=True, slots=True)
class CartProblem:
    """Something a shopper should see before checkout; it blocks nothing by itself."""

    code: CartProblemCode
    line_id: CartLineId
    message: str
    # For stock problems: how many the channel can still give this line.
    available_quantity: int | None = None


class MergeAction(StrEnum):
    ADDED = "added"
    INCREASED = "increased"
    CAPPED = "capped"
    KEPT = "kept"
    REPLACED = "replaced"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class MergeEntry:
    """What a merge did with one variant of the guest cart."""

    variant_id: VariantId
    action: MergeAction
    guest_quantity: int
    quantity_before: int
    quantity_after: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MergeReport:
    guest_cart_id: CartId
    cart_id: CartId
    policy: str
    entries: tuple[MergeEntry, ...]
