"""Cart types: a cart as its token holder sees it, priced in its channel now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

import strawberry

from core.carts import model
from core.carts.addresses import MailingAddress as MailingAddressValue
from core.carts.pricing import line_totals
from core.carts.problems import cart_problems
from core.channels.model import Coordinates, MergePolicy
from core.delivery import model as delivery_model
from core.delivery import services as delivery
from core.errors import DomainError, ErrorCode
from core.money import Money as MoneyValue
from schema.attributes import Attribute
from schema.catalog.types import ProductVariant
from schema.channels.types import CartMergePolicy, Channel, Location
from schema.context import Context
from schema.errors import bad_input
from schema.inventory.types import GeoPointInput
from schema.money import Money
from schema.relay import to_global_id

Info = strawberry.Info[Context, None]


async def _variant(context: Context, channel_id: int, variant_id: int) -> ProductVariant | None:
    """The variant as the channel shows it, through the request's loader."""
    found = await context.loaders.variants_by_id.load((channel_id, variant_id))
    return ProductVariant.from_priced(found, channel_id) if found is not None else None


CartStatus = strawberry.enum(model.CartStatus, name="CartStatus")
CartProblemCode = strawberry.enum(
    model.CartProblemCode, name="CartProblemCode", description="What a cart problem is about."
)
MergeAction = strawberry.enum(model.MergeAction, name="CartMergeAction")
DeliveryMethod = strawberry.enum(
    delivery_model.DeliveryMethod,
    name="DeliveryMethod",
    description="How a delivery group reaches the shopper.",
)


@strawberry.type(description="A price adjustment made by a plugin, over the whole cart.")
class CartAdjustment:
    label: str = strawberry.field(description="For shoppers, e.g. 'Clearance -20%'.")
    amount: Money = strawberry.field(description="Negative for a discount.")
    plugin: str = strawberry.field(description="The plugin that made it.")

    @classmethod
    def from_model(cls, adjustment: model.CartAdjustment) -> CartAdjustment:
        return cls(
            label=adjustment.label,
            amount=Money.from_value(adjustment.amount),
            plugin=adjustment.plugin,
        )


@strawberry.type(description="What a line costs in the cart's channel now.")
class CartLineCost:
    amount_per_quantity: Money = strawberry.field(
        description="Unit price after plugin adjustments."
    )
    subtotal_amount: Money = strawberry.field(description="Base unit price times quantity.")
    total_amount: Money = strawberry.field(description="Adjusted unit price times quantity.")


@strawberry.type(description="The cart's totals, in the channel's currency.")
class CartCost:
    subtotal_amount: Money = strawberry.field(description="Sum of base prices times quantities.")
    total_amount: Money = strawberry.field(
        description="subtotalAmount plus the adjustments plus deliveryAmount."
    )
    adjustments: list[CartAdjustment]
    delivery_amount: Money = strawberry.field(
        description="What the selected delivery options cost (zero when none is selected)."
    )


@strawberry.type(description="A variant and how many of it the cart holds.")
class CartLine:
    id: strawberry.ID
    quantity: int
    cost: CartLineCost | None = strawberry.field(
        description="Null when the variant is no longer sold in the cart's channel."
    )
    created_at: datetime
    updated_at: datetime
    line_id: strawberry.Private[int]
    variant_id: strawberry.Private[int]
    channel_id: strawberry.Private[int]

    @strawberry.field(
        description="The variant as the cart's channel shows it; null where it is not visible."
    )
    def variant(self, info: Info) -> ProductVariant | None:
        # an awaitable; graphql-core awaits what a resolver returns
        return cast(ProductVariant | None, _variant(info.context, self.channel_id, self.variant_id))


@strawberry.type(description="Something to look at before checkout; it blocks nothing by itself.")
class CartProblem:
    code: CartProblemCode  # type: ignore[valid-type]  # strawberry.enum returns the enum
    line_id: strawberry.ID = strawberry.field(description="The line it is about.")
    message: str
    available_quantity: int | None = strawberry.field(
        description="For stock problems: how many this line can have now."
    )


@strawberry.type(description="A postal address a parcel or an invoice goes to.")
class MailingAddress:
    first_name: str
    last_name: str
    company: str | None
    line1: str
    line2: str | None
    postal_code: str
    city: str
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2, upper case (DE, US).")
    phone: str | None

    @classmethod
    def from_model(cls, address: MailingAddressValue | None) -> MailingAddress | None:
        if address is None:
            return None
        return cls(
            first_name=address.first_name,
            last_name=address.last_name,
            company=address.company,
            line1=address.line1,
            line2=address.line2,
            postal_code=address.postal_code,
            city=address.city,
            country_code=address.country_code,
            phone=address.phone,
        )


@strawberry.type(description="A way to deliver a delivery group's lines.")
class CartDeliveryOption:
    handle: str = strawberry.field(
        description="Stable and unique in its group: what a client selects by."
    )
    title: str
    method: DeliveryMethod  # type: ignore[valid-type]  # strawberry.enum returns the enum
    cost: Money
    estimated_at: datetime | None = strawberry.field(
        description="When the lines should arrive or be ready to collect (an estimate)."
    )
    location: Location | None = strawberry.field(
        description="Where the lines are handed over (pick-up, curbside)."
    )
    plugin: str = strawberry.field(description="The plugin that offered it.")
    pay_at_pickup: bool = strawberry.field(
        description="Reserve-in-store: the shopper pays when collecting."
    )

    @classmethod
    def from_model(
        cls,
        option: delivery_model.DeliveryOption,
        locations: Mapping[int, Location],
    ) -> CartDeliveryOption:
        return cls(
            handle=option.handle,
            title=option.title,
            method=option.method,
            cost=Money.from_value(option.cost),
            estimated_at=option.estimated_at,
            location=None if option.location_id is None else locations.get(option.location_id),
            plugin=option.plugin,
            pay_at_pickup=option.pay_at_pickup,
        )


@strawberry.type(
    description="Lines delivered together, the options offered for them and the one selected. "
    "Selecting an option that covers only some of the lines (collect what a store holds "
    "today) moves the other lines into the next group, with options of their own."
)
class CartDeliveryGroup:
    id: strawberry.ID = strawberry.field(
        description="Deterministic (delivery-1, delivery-2, ...): the same on every read "
        "while the selection that formed it stands."
    )
    lines: list[CartLine]
    delivery_options: list[CartDeliveryOption]
    selected_delivery_option: CartDeliveryOption | None


@strawberry.type(
    description=("A cart, shared by every device holding its token. Every change raises `version`.")
)
class Cart:
    token: str = strawberry.field(
        description="The capability to read and change the cart: keep it secret, never log it."
    )
    version: int
    status: CartStatus  # type: ignore[valid-type]
    email: str | None
    shipping_address: MailingAddress | None = strawberry.field(
        description="Where the order is to be shipped; null until set (cartShippingAddressSet)."
    )
    billing_address: MailingAddress | None = strawberry.field(
        description="Whom the order is invoiced to; null until set (cartBillingAddressSet)."
    )
    attributes: list[Attribute] = strawberry.field(
        description="Key-value pairs for the channel's plugins (cartAttributesUpdate)."
    )
    created_at: datetime
    updated_at: datetime
    expires_at: datetime = strawberry.field(
        description="When the cart lapses unless changed (the channel's cart lifetime)."
    )
    channel: Channel
    lines: list[CartLine]
    total_quantity: int = strawberry.field(description="Units over all lines.")
    cost: CartCost
    priced: strawberry.Private[model.PricedCart]

    @strawberry.field(
        description="Problems with the lines (stock, price changes, no longer sold), now."
    )
    async def problems(self, info: Info) -> list[CartProblem]:
        runtime = info.context.runtime
        async with runtime.reads.connect() as connection:
            found = await cart_problems(
                connection, runtime.plugins, self.priced, now=runtime.clock.now()
            )
        return [
            CartProblem(
                code=problem.code,
                line_id=strawberry.ID(to_global_id("CartLine", problem.line_id)),
                message=problem.message,
                available_quantity=problem.available_quantity,
            )
            for problem in found
        ]

    @strawberry.field(
        description="How the lines can be delivered: groups of lines with their options "
        "(home delivery, click and collect, ...) and the selected one. With `near`, "
        "pick-up stores come nearest first."
    )
    async def delivery_groups(
        self, info: Info, near: GeoPointInput | None = None
    ) -> list[CartDeliveryGroup]:
        context = info.context
        runtime = context.runtime
        channel = self.priced.channel
        point = None if near is None else _coordinates(near)
        async with runtime.reads.connect() as connection:
            groups = await delivery.delivery_groups(
                connection,
                runtime.plugins,
                channel,
                self.priced.cart,
                now=runtime.clock.now(),
                line_totals=line_totals(self.priced),
                near=point,
            )
        supply = await context.loaders.supply_by_channel_id.load(channel.id)
        locations: dict[int, Location] = {
            s.location.id: Location.from_model(s.location) for s in supply
        }
        lines = {line.line_id: line for line in self.lines}
        result = []
        for group in groups:
            options = {o.handle: CartDeliveryOption.from_model(o, locations) for o in group.options}
            result.append(
                CartDeliveryGroup(
                    id=strawberry.ID(group.id),
                    lines=[lines[line_id] for line_id in group.line_ids],
                    delivery_options=list(options.values()),
                    selected_delivery_option=None
                    if group.selected is None
                    else options[group.selected.handle],
                )
            )
        return result

    @classmethod
    def from_priced(cls, priced: model.PricedCart, token: str, context: Context) -> Cart:
        cart, channel = priced.cart, priced.channel
        context.remember_channel(channel)
        costs = priced.line_costs
        lines = []
        for line in cart.lines:
            cost = costs.get(line.id)
            lines.append(
                CartLine(
                    id=strawberry.ID(to_global_id("CartLine", line.id)),
                    quantity=line.quantity,
                    cost=None
                    if cost is None
                    else CartLineCost(
                        amount_per_quantity=Money.from_value(cost.amount_per_quantity),
                        subtotal_amount=Money.from_value(cost.subtotal_amount),
                        total_amount=Money.from_value(cost.total_amount),
                    ),
                    created_at=line.created_at,
                    updated_at=line.updated_at,
                    line_id=line.id,
                    variant_id=line.variant_id,
                    channel_id=channel.id,
                )
            )
        return cls(
            token=token,
            version=cart.version,
            status=cart.status,
            email=cart.email or None,
            shipping_address=MailingAddress.from_model(cart.shipping_address),
            billing_address=MailingAddress.from_model(cart.billing_address),
            attributes=Attribute.from_pairs(cart.attributes),
            created_at=cart.created_at,
            updated_at=cart.updated_at,
            expires_at=cart.expires_at,
            channel=Channel.from_model(channel),
            lines=lines,
            total_quantity=priced.total_quantity,
            cost=CartCost(
                subtotal_amount=Money.from_value(priced.cost.subtotal_amount),
                total_amount=Money.from_value(priced.cost.total_amount),
                adjustments=[CartAdjustment.from_model(a) for a in priced.cost.adjustments],
                delivery_amount=Money.from_value(
                    priced.cost.delivery_amount or MoneyValue.zero(channel.currency)
                ),
            ),
            priced=priced,
        )


def _coordinates(near: GeoPointInput) -> Coordinates:
    """``near`` checked as ``storeAvailability`` checks it."""
    if not -90 <= near.lat <= 90:
        raise bad_input(
            DomainError.single(ErrorCode.INVALID, "lat must be between -90 and 90", "near.lat")
        )
    if not -180 <= near.lon <= 180:
        raise bad_input(
            DomainError.single(ErrorCode.INVALID, "lon must be between -180 and 180", "near.lon")
        )
    return Coordinates(latitude=near.lat, longitude=near.lon)


@strawberry.type(description="What a merge did with one variant of the guest cart.")
class CartMergeLine:
    variant_id: strawberry.ID
    action: MergeAction  # type: ignore[valid-type]
    guest_quantity: int = strawberry.field(description="The quantity in the guest cart.")
    quantity_before: int = strawberry.field(description="In the customer's cart before.")
    quantity_after: int = strawberry.field(description="In the customer's cart now.")
    reason: str | None = strawberry.field(description="Why it was capped or dropped.")
    channel_id: strawberry.Private[int]
    variant_key: strawberry.Private[int]

    @strawberry.field(description="The variant as the cart's channel shows it.")
    def variant(self, info: Info) -> ProductVariant | None:
        # an awaitable; graphql-core awaits what a resolver returns
        return cast(
            ProductVariant | None, _variant(info.context, self.channel_id, self.variant_key)
        )


@strawberry.type(description="How a guest cart was merged into the customer's cart.")
class CartMergeReport:
    policy: CartMergePolicy  # type: ignore[valid-type]
    lines: list[CartMergeLine]

    @classmethod
    def from_model(cls, report: model.MergeReport, channel_id: int) -> CartMergeReport:
        return cls(
            policy=MergePolicy(report.policy),
            lines=[
                CartMergeLine(
                    variant_id=strawberry.ID(to_global_id("ProductVariant", entry.variant_id)),
                    action=entry.action,
                    guest_quantity=entry.guest_quantity,
                    quantity_before=entry.quantity_before,
                    quantity_after=entry.quantity_after,
                    reason=entry.reason or None,
                    channel_id=channel_id,
                    variant_key=entry.variant_id,
                )
                for entry in report.entries
            ],
        )
