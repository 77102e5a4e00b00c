"""``marketplaceOrderImport`` (issue 15): staff (``orders:manage``, not location-scoped)
import an order placed on a marketplace into its marketplace channel, once."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.errors import DomainError, Problem
from core.orders import services
from core.orders.import_model import MarketplaceOrder, MarketplaceOrderLine
from core.staff.model import StaffPrincipal
from schema.carts.address_mutations import MailingAddressInput
from schema.context import Context
from schema.errors import ApiError, ApiErrorCode, UserError, user_errors
from schema.inputs import parse_money
from schema.money import MoneyInput
from schema.orders.types import Order
from schema.permissions import CanManageOrders, staff_principal

Info = strawberry.Info[Context, None]

IMPORT_CODES = (
    "UNKNOWN_CHANNEL, NOT_A_MARKETPLACE_CHANNEL (on channel), REQUIRED, INVALID, "
    "TOO_MANY_LINES, INVALID_QUANTITY, NEGATIVE_PRICE, INVALID_AMOUNT, INVALID_CURRENCY, "
    "CURRENCY_MISMATCH, INVALID_EMAIL, INVALID_POSTAL_CODE, INVALID_COUNTRY_CODE, "
    "INVALID_PHONE, UNKNOWN_SKU and NOT_SOLD_IN_CHANNEL (on input.lines.<i>.sku), "
    "INSUFFICIENT_STOCK (on input.lines.<i>), PLUGIN_FAILED"
)


@strawberry.input(description="A line of a marketplace's order.")
class MarketplaceOrderLineInput:
    sku: str
    quantity: int = strawberry.field(description="At least 1.")
    unit_price: MoneyInput = strawberry.field(
        description="What the marketplace sold one unit for, in the channel's currency; "
        "kept as given."
    )


@strawberry.input(description="An order placed on a marketplace, as the marketplace gives it.")
class MarketplaceOrderInput:
    external_id: str = strawberry.field(
        description="The marketplace's own order id (at most 128 characters): an order "
        "is imported once per channel and id."
    )
    placed_at: datetime = strawberry.field(description="When the shopper placed it there.")
    email: str
    shipping_address: MailingAddressInput
    lines: list[MarketplaceOrderLineInput]
    delivery_amount: MoneyInput = strawberry.field(
        description="What the marketplace charged for delivery, in the channel's currency."
    )

    def to_core(self) -> MarketplaceOrder:
        """The order as core takes it; ``INVALID_AMOUNT`` / ``INVALID_CURRENCY`` on
        the amounts that do not parse."""
        problems: list[Problem] = []
        lines: list[MarketplaceOrderLine] = []
        for index, line in enumerate(self.lines):
            try:
                price = parse_money(line.unit_price, field=f"lines.{index}.unit_price")
            except DomainError as error:
                problems += error.problems
                continue
            lines.append(MarketplaceOrderLine(line.sku, line.quantity, price))
        try:
            delivery = parse_money(self.delivery_amount, field="delivery_amount")
        except DomainError as error:
            problems += error.problems
        if problems:
            raise DomainError(problems)
        return MarketplaceOrder(
            external_id=self.external_id,
            email=self.email,
            shipping_address=self.shipping_address.to_core(),
            lines=tuple(lines),
            delivery_amount=delivery,
            placed_at=self.placed_at,
        )


@strawberry.type
class MarketplaceOrderImportPayload:
    order: Order | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = strawberry.field(
        default=False,
        description="True when the channel already had this externalId: the order is "
        "the first import's, and nothing was written (even if the input differs).",
    )


def payload_errors(error: DomainError) -> list[UserError]:
    """``channel`` names the argument; every other path points into ``input``."""
    errors: list[UserError] = []
    for problem in error.problems:
        prefix = None if problem.field == "channel" else "input"
        errors += user_errors(DomainError([problem]), prefix=prefix)
    return errors


def may_import(principal: StaffPrincipal) -> None:
    """A location-scoped token acts for its stores only: importing is channel-wide."""
    if principal.locations is not None:
        raise ApiError(
            "A location-scoped token may not import marketplace orders", ApiErrorCode.FORBIDDEN
        )


@strawberry.type
class MarketplaceImportMutation:
    @strawberry.mutation(
        permission_classes=[CanManageOrders],
        description="Import an order placed on a marketplace into its marketplace "
        "channel: allocated like a checkout, at the marketplace's prices and delivery "
        "amount, paid (CAPTURED, provider marketplace:<channel>); all or nothing. The "
        "same externalId again returns the first order (replayed) and writes nothing. "
        "Needs orders:manage and a token for every location (else FORBIDDEN). Errors: "
        f"{IMPORT_CODES}.",
    )
    async def marketplace_order_import(
        self, info: Info, channel: str, input: MarketplaceOrderInput
    ) -> MarketplaceOrderImportPayload:
        principal = await staff_principal(info.context)
        may_import(principal)
        runtime = info.context.runtime
        try:
            imported = await services.import_marketplace_order(
                runtime.uow(),
                channel_slug=channel,
                order=input.to_core(),
                actor=f"staff:{principal.staff_name}",
            )
        except DomainError as error:
            return MarketplaceOrderImportPayload(errors=payload_errors(error))
        view = await services.staff_order(runtime.uow(), imported.order_id)
        order = None if view is None else Order.from_view(view)
        return MarketplaceOrderImportPayload(order=order, replayed=imported.replayed)
