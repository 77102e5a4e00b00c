"""Orders as the API offers them: checkout, reading (by the customer, by a guest's
order token, by staff), cancelling, fulfilling, click and collect, rerouting, returns
and refunds. A thin facade over the topic modules.

Every read returns ``OrderView``s: the orders with the channels and locations they
name, read in a fixed number of statements per page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.carts import tokens as cart_tokens
from core.channels import queries as channel_queries
from core.channels.model import Channel, Location
from core.errors import DomainError, ErrorCode
from core.ids import ChannelId, CustomerId, LocationId, OrderId
from core.orders import numbers
from core.orders.cancel import cancel_order
from core.orders.checkout import complete_checkout
from core.orders.checkout_checks import PaymentInput
from core.orders.checkout_commit import CheckoutResult, actor_of
from core.orders.fulfil import Fulfilled, FulfilmentLineInput, create_fulfilment
from core.orders.import_model import (
    ImportedOrder,
    MarketplaceOrder,
    MarketplaceOrderLine,
    MarketplaceOrderRejected,
    MarketplaceSignatureInvalid,
)
from core.orders.imports import import_marketplace_order
from core.orders.line_cancel import cancel_lines
from core.orders.model import Order
from core.orders.pickups import complete_pickup, mark_ready_for_pickup
from core.orders.queries import OrderCursor, OrderFilter, order_id_where, order_page, orders_by_ids
from core.orders.refunds import Refunded, create_refund
from core.orders.reroute import reroute_allocation
from core.orders.return_receipts import ReceiveLineInput, receive_return
from core.orders.returns import Requester, ReturnLineInput, create_return
from core.uow import UnitOfWork

__all__ = [
    "CheckoutResult",
    "Fulfilled",
    "FulfilmentLineInput",
    "ImportedOrder",
    "MarketplaceOrder",
    "MarketplaceOrderLine",
    "MarketplaceOrderRejected",
    "MarketplaceSignatureInvalid",
    "OrderCursor",
    "OrderFilter",
    "OrderPage",
    "OrderView",
    "PaymentInput",
    "ReceiveLineInput",
    "Refunded",
    "Requester",
    "ReturnLineInput",
    "actor_of",
    "cancel_as_customer",
    "cancel_as_staff",
    "cancel_lines",
    "complete_checkout",
    "complete_pickup",
    "create_fulfilment",
    "create_refund",
    "create_return",
    "customer_order",
    "customer_orders",
    "import_marketplace_order",
    "mark_ready_for_pickup",
    "order_by_token",
    "placed_order_view",
    "receive_return",
    "reroute_allocation",
    "staff_order",
    "staff_orders",
    "staff_orders_by_id",
]

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Order
    channel: Channel
    # The pickup stores and supplying locations its delivery groups name.
    locations: dict[LocationId, Location]


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: list[OrderView]
    has_next_page: bool


async def _views(uow: UnitOfWork, orders: Sequence[Order]) -> list[OrderView]:
    if not orders:
        return []
    connection = await uow.connection()
    channels = await channel_queries.channels_by_id(
        connection, sorted({order.channel_id for order in orders})
    )
    locations = await _locations(uow, orders)
    return [OrderView(order, channels[ChannelId(order.channel_id)], locations) for order in orders]


def _location_ids(orders: Sequence[Order]) -> list[LocationId]:
    """The locations the orders' delivery groups name."""
    return sorted(
        {
            location_id
            for order in orders
            for group in order.delivery_groups
            for location_id in (
                group.location_id,
                *(units.location_id for units in group.lines),
            )
            if location_id is not None
        }
    )


async def _locations(uow: UnitOfWork, orders: Sequence[Order]) -> dict[LocationId, Location]:
    """The locations the orders' delivery groups name (none read when they name none)."""
    location_ids = _location_ids(orders)
    if not location_ids:
        return {}
    return await channel_queries.locations_by_id(await uow.connection(), location_ids)


async def customer_orders(
    uow: UnitOfWork, customer_id: CustomerId, *, first: int, after: OrderCursor | None
) -> OrderPage:
    """The customer's orders in every channel, newest first."""
    async with uow:
        orders, more = await order_page(
            uow.session, OrderFilter(customer_id=customer_id), first=_page(first), after=after
        )
        return OrderPage(await _views(uow, orders), more)


async def customer_order(
    uow: UnitOfWork, customer_id: CustomerId, order_id: OrderId
) -> OrderView | None:
    """One of the customer's orders; None for anybody else's (never tells which)."""
    async with uow:
        found = await orders_by_ids(uow.session, [order_id])
        if not found or found[0].customer_id != customer_id:
            return None
        return (await _views(uow, found))[0]


async def order_by_token(uow: UnitOfWork, token: str) -> OrderView | None:
    """The order of a guest's order token; None for a token that is no order's."""
    if not numbers.looks_like_token(token):
        return None
    async with uow:
        order_id = await order_id_where(uow.session, token_digest=cart_tokens.digest(token))
        if order_id is None:
            return None
        found = await orders_by_ids(uow.session, [order_id])
        return (await _views(uow, found))[0] if found else None


async def staff_orders(
    uow: UnitOfWork, where: OrderFilter, *, first: int, after: OrderCursor | None
) -> OrderPage:
    async with uow:
        orders, more = await order_page(uow.session, where, first=_page(first), after=after)
        return OrderPage(await _views(uow, orders), more)


async def placed_order_view(uow: UnitOfWork, placed: CheckoutResult) -> OrderView:
    """The view of the order ``complete_checkout`` placed (or replayed): the order, its
    channel and its locations as checkout read them in its transaction; what checkout
    did not read (a replay's locations) is read here."""
    if placed.channel is None:
        found = await staff_order(uow, placed.order.id)
        assert found is not None  # checkout has just placed or read it
        return found
    known = placed.locations
    wanted = _location_ids([placed.order])
    if all(location_id in known for location_id in wanted):
        locations = {location_id: known[location_id] for location_id in wanted}
        return OrderView(placed.order, placed.channel, locations)
    async with uow:
        return OrderView(placed.order, placed.channel, await _locations(uow, [placed.order]))


async def staff_orders_by_id(
    uow: UnitOfWork, order_ids: Sequence[OrderId]
) -> dict[OrderId, OrderView]:
    """The views of the orders of ``order_ids`` that exist, by id (one batch read)."""
    async with uow:
        found = await orders_by_ids(uow.session, order_ids)
        return {view.order.id: view for view in await _views(uow, found)}


async def staff_order(uow: UnitOfWork, order_id: OrderId) -> OrderView | None:
    async with uow:
        found = await orders_by_ids(uow.session, [order_id])
        return (await _views(uow, found))[0] if found else None


async def cancel_as_staff(
    uow: UnitOfWork, order_id: OrderId, *, staff_name: str, reason: str
) -> Order:
    return await cancel_order(
        uow, order_id, actor=f"staff:{staff_name}", reason=reason, by_staff=True
    )


async def cancel_as_customer(
    uow: UnitOfWork,
    order_id: OrderId,
    *,
    customer_id: CustomerId | None,
    token: str | None,
    reason: str,
) -> Order:
    """The customer who placed the order, or the guest holding its token, cancels it.
    Anybody else is told there is no such order."""
    async with uow:
        found = await orders_by_ids(uow.session, [order_id])
        owner = found[0] if found else None
        token_ok = (
            owner is not None
            and token is not None
            and numbers.looks_like_token(token)
            and await order_id_where(uow.session, token_digest=cart_tokens.digest(token))
            == order_id
        )
    if owner is None or not (
        (customer_id is not None and owner.customer_id == customer_id) or token_ok
    ):
        raise DomainError.single(ErrorCode.ORDER_NOT_FOUND, "No such order", "id")
    actor = "guest" if customer_id is None else f"customer:{customer_id}"
    return await cancel_order(uow, order_id, actor=actor, reason=reason, by_staff=False)


def _page(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise DomainError.single(ErrorCode.INVALID, f"first is between 1 and {MAX_PAGE}", "first")
    return first
