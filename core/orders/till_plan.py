"""What a till sale hands over and what it sends (issue 15), before anything is written.

A sale at the till is priced and planned as a cart would be, without storing one: the
lines become a *basket* (``Cart`` value, never written) in the store's channel, so the
same pricing (``core.carts.pricing.price_cart``), stock reads
(``core.delivery.location_stock``), delivery options and sourcing hook
(``core.delivery.services``) apply.

- **Handed over**: each line takes what the store has of it (the store's own units,
  the channel's availability rules included), first lines first.
- **Delivered** (endless aisle, only with a delivery address): the rest, as one basket
  whose delivery options and sourcing see the channel's locations *other than the
  store*; the cheapest home delivery option is chosen unless the till names one.
- Without an address, or when the other locations cannot give it all:
  ``INSUFFICIENT_STOCK`` on the line (``lines.<i>``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.carts.addresses import MailingAddress
from core.carts.inputs import LineInput
from core.carts.model import Cart, CartLine, PricedCart
from core.channels import queries as channel_queries
from core.channels.model import Channel, ChannelKind, Location, LocationKind
from core.db.reads import ReadConnection
from core.delivery import services as delivery
from core.delivery.model import DeliveryMethod, DeliveryOption, LocationStock, SourcedLine
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartLineId, CustomerId, LocationId, VariantId
from core.money import Money
from core.orders.allocation import Allocation
from core.orders.placement import UnsavedLine, unsaved_cart
from core.plugin_host import PluginHost

# The basket is never stored: it has no id of its own (no cart owns stock as 0).
DELIVERY_FIELD = "delivery"


@dataclass(frozen=True, slots=True)
class Shipment:
    """The delivered part: the option chosen and where each unit comes from."""

    option: DeliveryOption
    lines: tuple[SourcedLine, ...]


@dataclass(frozen=True, slots=True)
class TillPlan:
    """Per basket line (``CartLineId`` = position + 1): the units handed over at the
    store now, and the shipment of the rest (None when everything is handed over)."""

    handed_over: Mapping[CartLineId, int]
    shipment: Shipment | None

    @property
    def delivery_amount(self) -> Money | None:
        return None if self.shipment is None else self.shipment.option.cost


def basket(
    channel: Channel,
    lines: Sequence[LineInput],
    *,
    customer_id: CustomerId | None,
    email: str,
    address: MailingAddress | None,
    now: datetime,
    attributes: Mapping[str, str] | None = None,
) -> Cart:
    """The till's lines as a cart value (see the module docstring), carrying what the
    till attached (``attributes``) for the pricing plugins."""
    return unsaved_cart(
        channel,
        [UnsavedLine(line.variant_id, line.quantity) for line in lines],
        now=now,
        customer_id=customer_id,
        email=email,
        address=address,
        attributes=attributes,
    )


async def store_channel(
    connection: ReadConnection, location_id: LocationId
) -> tuple[Location, Channel]:
    """The store and the store channel it supplies; ``UNKNOWN_LOCATION``, ``NOT_A_STORE``."""
    location = (await channel_queries.locations_by_id(connection, [location_id])).get(location_id)
    if location is None:
        raise DomainError.single(ErrorCode.UNKNOWN_LOCATION, "No such location", "location_id")
    if location.kind is LocationKind.STORE:
        channels = await channel_queries.all_channels(connection)
        stores = [channel for channel in channels if channel.kind is ChannelKind.STORE]
        links = await channel_queries.channel_locations_by_channel_id(
            connection, [channel.id for channel in stores]
        )
        for channel in stores:
            if any(link.location_id == location_id for link in links[channel.id]):
                return location, channel
    raise DomainError.single(
        ErrorCode.NOT_A_STORE,
        f"{location.name} is not a store selling through a store channel",
        "location_id",
    )


def position(line_id: CartLineId) -> str:
    """The input path of a basket line."""
    return f"lines.{line_id - 1}"


async def plan_sale(
    connection: ReadConnection,
    plugins: PluginHost,
    priced: PricedCart,
    store: Location,
    *,
    now: datetime,
    option_handle: str | None,
) -> TillPlan:
    """Split the basket between the store's hand-over and a delivery (module docstring).

    Raises ``DomainError`` (``INSUFFICIENT_STOCK``, ``UNKNOWN_DELIVERY_OPTION``,
    ``DELIVERY_OPTION_UNAVAILABLE``) or ``PluginError``.
    """
    cart, channel = priced.cart, priced.channel
    stock = await delivery.location_stock(connection, channel, cart, now=now)
    here = next((at for at in stock if at.location.id == store.id), None)
    left: dict[VariantId, int] = dict(here.available) if here is not None else {}
    handed_over: dict[CartLineId, int] = {}
    rest: list[CartLine] = []
    for line in cart.lines:
        taken = min(line.quantity, max(left.get(line.variant_id, 0), 0))
        left[line.variant_id] = left.get(line.variant_id, 0) - taken
        if taken:
            handed_over[line.id] = taken
        if taken < line.quantity:
            rest.append(replace(line, quantity=line.quantity - taken))
    if not rest:
        return TillPlan(handed_over, None)
    if cart.shipping_address is None:
        raise DomainError(
            [
                Problem(
                    ErrorCode.INSUFFICIENT_STOCK,
                    f"{store.name} has only {handed_over.get(line.id, 0)} of these "
                    "(give a delivery address to order the rest)",
                    position(line.id),
                )
                for line in rest
            ]
        )
    others = tuple(at for at in stock if at.location.id != store.id)
    return TillPlan(
        handed_over,
        await _shipment(connection, plugins, priced, rest, others, now, option_handle),
    )


async def _shipment(
    connection: ReadConnection,
    plugins: PluginHost,
    priced: PricedCart,
    rest: Sequence[CartLine],
    others: tuple[LocationStock, ...],
    now: datetime,
    option_handle: str | None,
) -> Shipment:
    channel = priced.channel
    away = replace(priced.cart, lines=tuple(rest))
    totals = {
        line.id: priced.line_costs[line.id].amount_per_quantity * line.quantity for line in rest
    }
    (group, *_) = await delivery.delivery_groups(
        connection,
        plugins,
        channel,
        away,
        now=now,
        line_totals=totals,
        selection={},
        stock=others,
    )
    option = _chosen(group.options, option_handle)
    selection = {group.id: option.handle}
    plan = await delivery.source_lines(
        connection, plugins, channel, away, selection, now=now, line_totals=totals, stock=others
    )
    if plan.unsourced:
        raise DomainError(
            [
                Problem(
                    ErrorCode.INSUFFICIENT_STOCK,
                    f"{missing.quantity} units cannot be supplied by the other locations",
                    position(missing.line_id),
                )
                for missing in plan.unsourced
            ]
        )
    return Shipment(option, plan.lines)


def _chosen(options: Sequence[DeliveryOption], handle: str | None) -> DeliveryOption:
    """The option named by ``handle``, else the cheapest home delivery (the first of
    equal price, in the plugins' order)."""
    homes = [option for option in options if option.method is DeliveryMethod.SHIPPING]
    if handle is not None:
        for option in homes:
            if option.handle == handle:
                return option
        raise DomainError.single(
            ErrorCode.UNKNOWN_DELIVERY_OPTION,
            "The channel offers no such home delivery option for this address",
            f"{DELIVERY_FIELD}.option_id",
        )
    if not homes:
        raise DomainError.single(
            ErrorCode.DELIVERY_OPTION_UNAVAILABLE,
            "The channel offers no home delivery for this address",
            DELIVERY_FIELD,
        )
    return min(homes, key=lambda option: option.cost.minor_units)


def allocations(
    plan: TillPlan, store_id: LocationId, variants: Mapping[CartLineId, VariantId]
) -> list[Allocation]:
    """Every unit the order takes, each reported on its line: the store's hand-over,
    then the shipment's sources."""
    taken = [
        Allocation(variants[line_id], store_id, quantity, position(line_id))
        for line_id, quantity in plan.handed_over.items()
    ]
    if plan.shipment is not None:
        taken += [
            Allocation(
                sourced.variant_id, sourced.location_id, sourced.quantity, position(sourced.line_id)
            )
            for sourced in plan.shipment.lines
        ]
    return taken
