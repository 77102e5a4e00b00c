"""The event hook: completed orders earn points, placed orders spend them, cancelled
orders give spent points back. After commit, at least once: every write is an entry
unique by (kind, order) (``ledger.record``), so an event given twice changes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.channels.queries import channels_by_id
from core.ids import OrderId
from core.orders.model import Order
from core.orders.queries import orders_by_ids
from omnicart import Channel, DeliveredEvent, Money, hookimpl
from omnicart_loyalty import ledger
from omnicart_loyalty.ledger import Entry, EntryKind
from omnicart_loyalty.redemption import points_spent, requested_points
from omnicart_loyalty.settings import PLUGIN_NAME, LoyaltySettings

# A fulfilment or a pickup completes an order when its status after is one of these
# (the payload carries the status's value, "fulfilled"; compared without case).
COMPLETING_EVENTS = frozenset({"OrderFulfilled", "OrderPickedUp"})
COMPLETED_STATUSES = frozenset({"FULFILLED", "COMPLETED"})


def settings_in(channel: Channel) -> LoyaltySettings | None:
    """The programme's settings in ``channel``; None when the channel does not enable it."""
    for enabled in channel.plugins:
        if enabled.name == PLUGIN_NAME:
            return LoyaltySettings(**enabled.settings)
    return None


def earned_points(total: Money, settings: LoyaltySettings) -> int:
    """``points_per_unit`` for each whole unit of the currency (28.99 PLN at 1 is 28)."""
    one_unit = Money.parse("1", total.currency).minor_units
    return max(0, total.minor_units) * settings.points_per_unit // one_unit


def loyalty_amount_off(order: Order) -> Money:
    """What this plugin's adjustments took off the order (negative or zero)."""
    off = Money.zero(order.cost.total_amount.currency)
    for adjustment in order.cost.adjustments:
        if adjustment.plugin == PLUGIN_NAME:
            off = off + adjustment.amount
    return off


async def order_and_settings(
    engine: AsyncEngine, order_id: int
) -> tuple[Order, LoyaltySettings] | None:
    """The order, and the programme's settings in its channel; None when either is
    missing (no such order, or a channel that does not run the programme)."""
    async with AsyncSession(engine) as session:
        found = await orders_by_ids(session, [OrderId(order_id)])
        if not found:
            return None
        order = found[0]
        connection = await session.connection()
        channel = (await channels_by_id(connection, [order.channel_id])).get(order.channel_id)
    settings = None if channel is None else settings_in(channel)
    return None if settings is None else (order, settings)


def entry_for_event(event: DeliveredEvent, order: Order, settings: LoyaltySettings) -> Entry | None:
    """The ledger entry ``event`` makes for ``order``, or None."""
    if order.customer_id is None:
        return None  # a guest's order earns and spends nothing
    if event.type in COMPLETING_EVENTS:
        if str(event.payload.get("status", "")).upper() not in COMPLETED_STATUSES:
            return None
        points = earned_points(order.cost.total_amount, settings)
        kind = EntryKind.EARN
    elif event.type == "OrderPlaced":
        requested = requested_points(dict(order.attributes)) or 0
        off = loyalty_amount_off(order)
        point_value = Money.parse(settings.point_value, off.currency)
        points = -points_spent(off, point_value, requested)
        kind = EntryKind.REDEEM
    else:
        return None
    if points == 0:
        return None
    return Entry(order.customer_id, kind, order.id, event.id, points, event.created_at)


async def restore_spent(engine: AsyncEngine, event: DeliveredEvent, order_id: int) -> None:
    """A cancelled order gives back what it spent (its REDEEM entry), once."""
    async with engine.connect() as connection:
        if not await ledger.has_tables(connection):
            return
        spent = await ledger.entry_for(connection, EntryKind.REDEEM, order_id)
    if spent is not None:
        await ledger.record(
            engine,
            Entry(
                spent.customer_id,
                EntryKind.RESTORE,
                order_id,
                event.id,
                -spent.points,
                event.created_at,
            ),
        )


@hookimpl
async def omnicart_event(event: DeliveredEvent) -> None:
    if event.topic != "order" or not event.subject_ids:
        return
    if event.type not in COMPLETING_EVENTS | {"OrderPlaced", "OrderCancelled"}:
        return
    order_id = event.subject_ids[0]
    async with ledger.opened() as engine:
        if event.type == "OrderCancelled":
            await restore_spent(engine, event, order_id)
            return
        found = await order_and_settings(engine, order_id)
        entry = None if found is None else entry_for_event(event, *found)
        if entry is not None:
            await ledger.record(engine, entry)
