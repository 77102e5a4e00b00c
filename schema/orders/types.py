"""Order types: an order as its customer, its guest token holder or staff sees it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.orders import model, return_model
from core.orders.services import OrderView
from core.payments import model as payment_model
from schema.attributes import Attribute
from schema.carts.types import CartAdjustment, DeliveryMethod, MailingAddress
from schema.channels.types import Channel, Location
from schema.context import Context
from schema.money import Money
from schema.relay import Node, PageInfo, to_global_id

OrderStatus = strawberry.enum(
    model.OrderStatus,
    name="OrderStatus",
    description="PLACED by checkout; CONFIRMED by the merchant; CANCELLED. Derived from "
    "fulfilments and pickups: PARTIALLY_FULFILLED (some units left), READY_FOR_PICKUP (a "
    "pickup waits to be collected), FULFILLED (every unit left, some shipped), COMPLETED "
    "(every unit handed over at a store).",
)
FulfilmentMethod = strawberry.enum(
    model.FulfilmentMethod,
    name="FulfilmentMethod",
    description="SHIPPING: sent from the location; PICKUP: handed over there.",
)
FulfilmentStatus = strawberry.enum(
    model.FulfilmentStatus, name="FulfilmentStatus", description="SHIPPED or COLLECTED."
)


@strawberry.type(description="Units of an order line in a fulfilment.")
class FulfilmentLine:
    line_id: strawberry.ID
    quantity: int


@strawberry.type(description="The carrier's tracking of a shipped fulfilment.")
class FulfilmentTracking:
    carrier: str
    number: str
    url: str


@strawberry.type(description="Units of the order that left one location together.")
class Fulfilment:
    id: strawberry.ID
    location: Location
    method: FulfilmentMethod  # type: ignore[valid-type]
    status: FulfilmentStatus  # type: ignore[valid-type]
    lines: list[FulfilmentLine]
    tracking: FulfilmentTracking | None
    created_at: datetime

    @classmethod
    def from_model(cls, found: model.FulfilmentAt) -> Fulfilment:
        fulfilment = found.fulfilment
        tracking = fulfilment.tracking
        return cls(
            id=strawberry.ID(to_global_id("Fulfilment", fulfilment.id)),
            location=Location.from_model(found.location),
            method=fulfilment.method,
            status=fulfilment.status,
            lines=[
                FulfilmentLine(
                    line_id=strawberry.ID(to_global_id("OrderLine", line.order_line_id)),
                    quantity=line.quantity,
                )
                for line in fulfilment.lines
            ],
            tracking=None
            if tracking is None
            else FulfilmentTracking(
                carrier=tracking.carrier, number=tracking.number, url=tracking.url
            ),
            created_at=fulfilment.created_at,
        )


@strawberry.type(description="A click-and-collect handover at a store.")
class Pickup:
    location: Location
    code: str | None = strawberry.field(
        description="The code the customer gives at the till: shown to the order's owner "
        "(orderByToken, me.orders, orderChanged), null for staff."
    )
    ready_at: datetime
    collected_at: datetime | None

    @classmethod
    def from_model(cls, found: model.PickupAt, *, owner: bool) -> Pickup:
        pickup = found.pickup
        return cls(
            location=Location.from_model(found.location),
            code=pickup.code if owner else None,
            ready_at=pickup.ready_at,
            collected_at=pickup.collected_at,
        )


PaymentStatus = strawberry.enum(payment_model.PaymentStatus, name="PaymentStatus")


@strawberry.type(description="A line as it was sold: a snapshot of the variant and its price.")
class OrderLine:
    id: strawberry.ID
    sku: str
    name: str = strawberry.field(description="Product and variant name when it was sold.")
    quantity: int
    cancelled_quantity: int = strawberry.field(
        description="Units cancelled before they were fulfilled (orderLinesCancel, or "
        "orderCancel after part of the order was fulfilled); never shipped, not paid for."
    )
    unit_price: Money = strawberry.field(description="After the channel's adjustments.")
    total_price: Money
    adjustments: list[CartAdjustment]
    variant_id: strawberry.ID | None = strawberry.field(
        description="The variant sold; null when the catalog no longer has it."
    )
    line_id: strawberry.Private[int]


ReturnStatus = strawberry.enum(
    return_model.ReturnStatus,
    name="ReturnStatus",
    description="REQUESTED until a unit is received; PARTIALLY_RECEIVED; RECEIVED when "
    "every unit arrived.",
)
ReturnDisposition = strawberry.enum(
    return_model.Disposition,
    name="ReturnDisposition",
    description="RESTOCK: back on hand where received; WRITE_OFF: not sellable, recorded "
    "with its reason.",
)


@strawberry.type(description="Units of an order line coming back, and what became of them.")
class ReturnLine:
    id: strawberry.ID
    order_line: OrderLine
    quantity: int
    reason: str
    received: int
    restocked: int
    written_off: int


@strawberry.type(description="A return of some of the order's units, made in a channel.")
class Return:
    id: strawberry.ID
    status: ReturnStatus  # type: ignore[valid-type]
    lines: list[ReturnLine]
    channel: Channel = strawberry.field(description="The channel the return was made in.")
    location: Location | None = strawberry.field(
        description="Where its units were last received; null until then."
    )
    created_at: datetime
    return_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, found: return_model.ReturnIn, lines: dict[int, OrderLine]) -> Return:
        returned = found.returned
        return cls(
            id=strawberry.ID(to_global_id("Return", returned.id)),
            status=returned.status,
            lines=[
                ReturnLine(
                    id=strawberry.ID(to_global_id("ReturnLine", line.id)),
                    order_line=lines[line.order_line_id],
                    quantity=line.quantity,
                    reason=line.reason,
                    received=line.received,
                    restocked=line.restocked,
                    written_off=line.written_off,
                )
                for line in returned.lines
            ],
            channel=Channel.from_model(found.channel),
            location=None if found.location is None else Location.from_model(found.location),
            created_at=returned.created_at,
            return_id=returned.id,
        )


@strawberry.type(description="Money paid back through the order's payment provider.")
class Refund:
    id: strawberry.ID
    amount: Money
    reason: str
    created_at: datetime

    @classmethod
    def from_model(cls, refund: return_model.Refund) -> Refund:
        return cls(
            id=strawberry.ID(to_global_id("Refund", refund.id)),
            amount=Money.from_value(refund.amount),
            reason=refund.reason,
            created_at=refund.created_at,
        )


@strawberry.type(description="The order's totals as charged, in the channel's currency.")
class OrderCost:
    subtotal_amount: Money = strawberry.field(description="Base prices times quantities.")
    delivery_amount: Money
    adjustments: list[CartAdjustment] = strawberry.field(
        description="Plugin adjustments over the whole order."
    )
    total_amount: Money = strawberry.field(description="What was authorised.")


@strawberry.type(description="Units of an order line that one location supplies.")
class OrderPlannedUnits:
    line_id: strawberry.ID
    quantity: int
    location: Location


@strawberry.type(description="How some of the order's lines reach the customer, and from where.")
class OrderDeliveryGroup:
    method: DeliveryMethod  # type: ignore[valid-type]  # strawberry.enum returns the enum
    title: str
    handle: str
    plugin: str
    cost: Money
    estimated_at: datetime | None
    pay_at_pickup: bool
    location: Location | None = strawberry.field(description="The pickup store, if any.")
    lines: list[OrderPlannedUnits] = strawberry.field(description="The fulfilment plan.")


@strawberry.type(description="A status the order took, when, by whom and why.")
class OrderHistoryEntry:
    at: datetime
    status: OrderStatus  # type: ignore[valid-type]
    payment_status: PaymentStatus  # type: ignore[valid-type]
    actor: str = strawberry.field(
        description="'customer:<id>', 'guest', 'staff:<name>' or 'system'."
    )
    note: str


@strawberry.type(
    description="An order, placed once from a cart by checkoutComplete, or sold at a "
    "store's till by posCheckout."
)
class Order(Node):
    id: strawberry.ID
    number: str = strawberry.field(description="For people: 'OC-7KQ2-M9XD'. Unguessable.")
    status: OrderStatus  # type: ignore[valid-type]
    payment_status: PaymentStatus  # type: ignore[valid-type]
    channel: Channel
    email: str
    customer_id: strawberry.ID | None = strawberry.field(
        description="The customer's id; null for a guest's order."
    )
    lines: list[OrderLine]
    cost: OrderCost
    shipping_address: MailingAddress | None
    billing_address: MailingAddress | None
    attributes: list[Attribute] = strawberry.field(
        description="The key-value pairs the buyer attached, as placed (from the cart or the till)."
    )
    delivery_groups: list[OrderDeliveryGroup]
    history: list[OrderHistoryEntry] = strawberry.field(description="Oldest first.")
    version: int = strawberry.field(description="Grows by one with every change.")
    created_at: datetime
    external_id: str | None = strawberry.field(
        description="The marketplace's own order id, for an order imported from a "
        "marketplace (marketplaceOrderImport); null for orders placed here."
    )
    order_id: strawberry.Private[int]
    # Whether the reader is the order's owner (the customer or the token's holder).
    owner: strawberry.Private[bool]

    @strawberry.field(description="What left the order's locations, oldest first.")
    async def fulfilments(self, info: strawberry.Info[Context, None]) -> list[Fulfilment]:
        found = await info.context.loaders.fulfilments_by_order_id.load(self.order_id)
        return [Fulfilment.from_model(each) for each in found]

    @strawberry.field(description="Click-and-collect handovers, oldest first.")
    async def pickups(self, info: strawberry.Info[Context, None]) -> list[Pickup]:
        found = await info.context.loaders.pickups_by_order_id.load(self.order_id)
        return [Pickup.from_model(each, owner=self.owner) for each in found]

    @strawberry.field(description="Returns of the order's units, in any channel, oldest first.")
    async def returns(self, info: strawberry.Info[Context, None]) -> list[Return]:
        found = await info.context.loaders.returns_by_order_id.load(self.order_id)
        lines = {line.line_id: line for line in self.lines}
        return [Return.from_model(each, lines) for each in found]

    @strawberry.field(description="Money paid back, oldest first.")
    async def refunds(self, info: strawberry.Info[Context, None]) -> list[Refund]:
        found = await info.context.loaders.refunds_by_order_id.load(self.order_id)
        return [Refund.from_model(each) for each in found]

    @classmethod
    def from_view(cls, view: OrderView, *, owner: bool = False) -> Order:
        order = view.order

        def location(location_id: int | None) -> Location | None:
            found = None if location_id is None else view.locations.get(location_id)  # type: ignore[call-overload]
            return None if found is None else Location.from_model(found)

        line_ids = {line.id: line for line in order.lines}
        return cls(
            id=strawberry.ID(to_global_id("Order", order.id)),
            number=order.number,
            status=order.status,
            payment_status=order.payment_status,
            channel=Channel.from_model(view.channel),
            email=order.email,
            customer_id=(
                None
                if order.customer_id is None
                else strawberry.ID(to_global_id("Customer", order.customer_id))
            ),
            lines=[
                OrderLine(
                    id=strawberry.ID(to_global_id("OrderLine", line.id)),
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    cancelled_quantity=line.cancelled_quantity,
                    unit_price=Money.from_value(line.unit_price),
                    total_price=Money.from_value(line.total_price),
                    adjustments=[CartAdjustment.from_model(a) for a in line.adjustments],
                    variant_id=(
                        None
                        if line.variant_id is None
                        else strawberry.ID(to_global_id("ProductVariant", line.variant_id))
                    ),
                    line_id=line.id,
                )
                for line in order.lines
            ],
            cost=OrderCost(
                subtotal_amount=Money.from_value(order.cost.subtotal_amount),
                delivery_amount=Money.from_value(order.cost.delivery_amount),
                adjustments=[CartAdjustment.from_model(a) for a in order.cost.adjustments],
                total_amount=Money.from_value(order.cost.total_amount),
            ),
            shipping_address=MailingAddress.from_model(order.shipping_address),
            billing_address=MailingAddress.from_model(order.billing_address),
            attributes=Attribute.from_pairs(order.attributes),
            delivery_groups=[
                OrderDeliveryGroup(
                    method=group.method,
                    title=group.title,
                    handle=group.handle,
                    plugin=group.plugin,
                    cost=Money.from_value(group.cost),
                    estimated_at=group.estimated_at,
                    pay_at_pickup=group.pay_at_pickup,
                    location=location(group.location_id),
                    lines=[
                        OrderPlannedUnits(
                            line_id=strawberry.ID(to_global_id("OrderLine", units.order_line_id)),
                            quantity=units.quantity,
                            location=location(units.location_id),  # type: ignore[arg-type]
                        )
                        for units in group.lines
                        if units.order_line_id in line_ids
                    ],
                )
                for group in order.delivery_groups
            ],
            history=[
                OrderHistoryEntry(
                    at=entry.at,
                    status=entry.status,
                    payment_status=entry.payment_status,
                    actor=entry.actor,
                    note=entry.note,
                )
                for entry in order.history
            ],
            version=order.version,
            created_at=order.created_at,
            external_id=order.external_id,
            order_id=order.id,
            owner=owner,
        )


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type(description="A page of orders, newest first.")
class OrderConnection:
    edges: list[OrderEdge]
    nodes: list[Order]
    page_info: PageInfo
