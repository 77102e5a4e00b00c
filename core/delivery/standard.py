"""The delivery options the built-in adapters offer, and the settings that shape them.

The web and mobile adapters (``plugins/web``, ``plugins/mobile``) answer
``omnicart_delivery_options`` with these; the rules live here, in core, because the
adapters are independent of one another and a third-party adapter may reuse them.

- Home delivery (``shipping:standard``): priced by ``delivery_price_table`` on the
  group's goods amount (the row with the highest "from" not above it), free from
  ``free_delivery_from_minor``; estimated ``delivery_estimate_days`` after now.
- Click and collect at each of the channel's pick-up stores (STORE locations with
  pick-up enabled that supply the channel), nearest first when the request gives
  coordinates, else in the channel's priority order:
  - ``pickup:<store slug>``: every line of the group. Ready after the store's
    preparation time when it holds them all; otherwise, when the missing units can
    come from the channel's other locations, ready after the transfer lead time
    (``transfer``); not offered when they cannot.
  - ``pickup-now:<store slug>``: only when the store holds some of the lines but
    not all: those lines, ready after the preparation time. Selecting it splits the
    cart: the other lines form their own delivery group (``core.delivery.groups``).
  - ``reserve:<store slug>`` (mobile, ``reserve_in_store_enabled``): reserve-in-store,
    paid at pick-up, when the store holds every line.
Pick-up is free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.carts.model import Cart, CartLine
from core.channels.model import LocationKind
from core.delivery.model import DeliveryContext, DeliveryMethod, DeliveryOption, LocationStock
from core.inventory.pickup import distance_km
from core.money import Money

SHIPPING_HANDLE = "shipping:standard"


def _default_price_table() -> list[list[int]]:
    # 19.99 below 100.00, 9.99 from 100.00 (minor units of the channel's currency).
    return [[0, 1999], [10_000, 999]]


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """Delivery settings shared by the built-in web and mobile adapters (minor units are
    the channel's currency)."""

    home_delivery_enabled: bool = True
    home_delivery_title: str = "Home delivery"
    # [[from goods amount, price], ...] in minor units; the row with the highest "from"
    # not above the group's goods amount applies.
    delivery_price_table: list[list[int]] = field(default_factory=_default_price_table)
    # Free home delivery from this goods amount (minor units); None: never free.
    free_delivery_from_minor: int | None = 20_000
    delivery_estimate_days: int = 2
    click_and_collect_enabled: bool = True
    # Picking a unit already on the store's shelves; per-store overrides by slug.
    pickup_preparation_minutes: int = 120
    pickup_preparation_minutes_by_store: dict[str, int] | None = None
    # Sending units from another location to the store first.
    transfer_lead_days: int = 2

    def __post_init__(self) -> None:
        if not self.delivery_price_table:
            raise ValueError("delivery_price_table needs at least one row")
        for row in self.delivery_price_table:
            if len(row) != 2 or min(row) < 0:
                raise ValueError("each delivery_price_table row is [from, price], not negative")
        if self.free_delivery_from_minor is not None and self.free_delivery_from_minor < 0:
            raise ValueError("free_delivery_from_minor must not be negative")
        if not 0 <= self.delivery_estimate_days <= 365:
            raise ValueError("delivery_estimate_days must be between 0 and 365")
        if not 0 <= self.transfer_lead_days <= 365:
            raise ValueError("transfer_lead_days must be between 0 and 365")
        minutes = [
            self.pickup_preparation_minutes,
            *(self.pickup_preparation_minutes_by_store or {}).values(),
        ]
        if not all(isinstance(m, int) and 0 <= m <= 60 * 24 * 30 for m in minutes):
            raise ValueError("preparation minutes must be whole numbers up to 30 days")

    def preparation(self, store_slug: str) -> timedelta:
        by_store = self.pickup_preparation_minutes_by_store or {}
        return timedelta(minutes=by_store.get(store_slug, self.pickup_preparation_minutes))


def home_delivery_cost(goods_amount: Money, settings: DeliverySettings) -> Money:
    """The price table's row for ``goods_amount``, or zero from the free threshold."""
    currency = goods_amount.currency
    free_from = settings.free_delivery_from_minor
    if free_from is not None and goods_amount.minor_units >= free_from:
        return Money.zero(currency)
    rows = sorted(settings.delivery_price_table)
    price = rows[0][1]
    for start, row_price in rows:
        if goods_amount.minor_units >= start:
            price = row_price
    return Money(price, currency)


def standard_options(
    cart: Cart,
    context: DeliveryContext,
    settings: DeliverySettings,
    *,
    reserve_in_store: bool = False,
) -> list[DeliveryOption]:
    """Home delivery and click and collect for the group ``cart`` holds (see above)."""
    if not cart.lines:
        return []
    options: list[DeliveryOption] = []
    if settings.home_delivery_enabled:
        options.append(
            DeliveryOption(
                handle=SHIPPING_HANDLE,
                title=settings.home_delivery_title,
                method=DeliveryMethod.SHIPPING,
                cost=home_delivery_cost(context.goods_amount, settings),
                estimated_at=context.now + timedelta(days=settings.delivery_estimate_days),
            )
        )
    if settings.click_and_collect_enabled:
        for store in pickup_stores(context):
            options += _store_options(cart.lines, context, settings, store, reserve_in_store)
    return options


def pickup_stores(context: DeliveryContext) -> list[LocationStock]:
    """The channel's pick-up stores: nearest first when ``context.near`` is given (those
    without coordinates last), else in the channel's priority order."""
    stores = [
        stock
        for stock in context.stock
        if stock.location.kind is LocationKind.STORE and stock.location.pickup_enabled
    ]
    near = context.near
    if near is None:
        return stores

    def distance(stock: LocationStock) -> tuple[bool, float, int]:
        coordinates = stock.location.coordinates
        if coordinates is None:
            return (True, 0.0, stock.priority)
        return (False, distance_km(near, coordinates), stock.priority)

    return sorted(stores, key=distance)


def _store_options(
    lines: Sequence[CartLine],
    context: DeliveryContext,
    settings: DeliverySettings,
    store: LocationStock,
    reserve_in_store: bool,
) -> list[DeliveryOption]:
    location = store.location
    held_now = [line for line in lines if store.has(line.variant_id, line.quantity)]
    zero = Money.zero(context.goods_amount.currency)
    ready_now = context.now + settings.preparation(location.slug)
    title = f"Click and collect at {location.name}"
    options: list[DeliveryOption] = []
    if len(held_now) == len(lines):
        options.append(
            DeliveryOption(
                f"pickup:{location.slug}",
                title,
                DeliveryMethod.PICKUP,
                zero,
                ready_now,
                location.id,
            )
        )
        if reserve_in_store:
            options.append(
                DeliveryOption(
                    f"reserve:{location.slug}",
                    f"Reserve at {location.name}, pay when collecting",
                    DeliveryMethod.PICKUP,
                    zero,
                    ready_now,
                    location.id,
                    pay_at_pickup=True,
                )
            )
        return options
    if all(_transferable(line, context.stock) for line in lines):
        options.append(
            DeliveryOption(
                f"pickup:{location.slug}",
                title,
                DeliveryMethod.PICKUP,
                zero,
                _later(context.now, settings, location.slug),
                location.id,
                transfer=True,
            )
        )
    if held_now:
        options.append(
            DeliveryOption(
                f"pickup-now:{location.slug}",
                f"Collect the items in stock at {location.name}",
                DeliveryMethod.PICKUP,
                zero,
                ready_now,
                location.id,
                line_ids=tuple(line.id for line in held_now),
            )
        )
    return options


def _transferable(line: CartLine, stock: Sequence[LocationStock]) -> bool:
    """The channel's locations together (the store included) cover the line."""
    return sum(other.available.get(line.variant_id, 0) for other in stock) >= line.quantity


def _later(now: datetime, settings: DeliverySettings, slug: str) -> datetime:
    return now + timedelta(days=settings.transfer_lead_days) + settings.preparation(slug)
