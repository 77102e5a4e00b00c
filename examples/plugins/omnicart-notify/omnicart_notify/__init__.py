"""Customer notifications: order events become messages to the order's customer.

Implements ``omnicart_event``. Each order event whose type is in ``MESSAGES`` becomes
one message (subject and body, addressed to the order's email) written to the
plugin's own table, ``notify_messages``, which it creates on first use in Omnicart's
database. A mail sender (not part of this example) reads that table and marks what it
sent; nothing here talks to a mail server, so a slow one never holds events back.

Delivery is at least once: the event's id is unique in the table, so an event given
twice writes one message.

Where: ``DATABASE_URL`` below, or else the ``OMNICART_NOTIFY_DATABASE_URL`` variable,
or else ``OMNICART_DATABASE_URL`` (Omnicart's own). The database must be Omnicart's:
the message is addressed with the order's email and number, read there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import create_engine
from core.events.model import DeliveredEvent
from core.hooks import hookimpl
from core.ids import OrderId
from core.orders.model import Order
from core.orders.queries import orders_by_ids

# Set by whoever installs the plugin (or a test); else read from the environment.
DATABASE_URL: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """What the customer is told: ``{number}`` in either is the order's number."""

    subject: str
    body: str


# One entry per event type worth telling a customer about. The fulfilment and refund
# events are emitted by Omnicart's fulfilment, pickup and returns mutations (issue 14).
MESSAGES: dict[str, Message] = {
    "OrderCancelled": Message(
        "Your order {number} was cancelled",
        "Your order {number} was cancelled. Anything you paid is refunded or the "
        "authorisation released; you do not need to do anything.",
    ),
    "OrderReadyForPickup": Message(
        "Your order {number} is ready for pickup",
        "Your order {number} is waiting for you in the store. Show your pickup code "
        "(in your order) at the counter.",
    ),
    "OrderFulfilled": Message(
        "Your order {number} has shipped",
        "Your order {number} is on its way. The tracking link is in your order.",
    ),
    "RefundCreated": Message(
        "We refunded your order {number}",
        "We sent a refund for your order {number} to your original payment method.",
    ),
}

metadata = MetaData()

messages_table = Table(
    "notify_messages",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    # The event's outbox id: unique, so an event delivered twice writes one message.
    Column("event_id", BigInteger, nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("order_id", BigInteger, nullable=False),
    Column("email", String(320), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # When a sender sent it; NULL while it waits.
    Column("sent_at", DateTime(timezone=True), nullable=True),
)


def database_url() -> str:
    url = (
        DATABASE_URL
        or os.environ.get("OMNICART_NOTIFY_DATABASE_URL")
        or os.environ.get("OMNICART_DATABASE_URL")
    )
    if not url:
        raise RuntimeError("omnicart-notify: set OMNICART_DATABASE_URL (or ..._NOTIFY_...)")
    return url


def compose(event: DeliveredEvent, order: Order) -> Message | None:
    """The message for ``event`` about ``order``; None when it tells the customer nothing."""
    template = MESSAGES.get(event.type)
    if template is None or not order.email:
        return None
    return Message(
        template.subject.format(number=order.number), template.body.format(number=order.number)
    )


@hookimpl
async def omnicart_event(event: DeliveredEvent) -> None:
    if event.topic != "order" or event.type not in MESSAGES or not event.subject_ids:
        return
    engine = create_engine(database_url(), pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all, checkfirst=True)
        async with AsyncSession(engine) as session:
            found = await orders_by_ids(session, [OrderId(event.subject_ids[0])])
            message = compose(event, found[0]) if found else None
            if message is None:
                return
            already = await session.execute(
                select(messages_table.c.id).where(messages_table.c.event_id == event.id)
            )
            if already.first() is not None:
                return
            await session.execute(
                insert(messages_table).values(
                    event_id=event.id,
                    event_type=event.type,
                    order_id=found[0].id,
                    email=found[0].email,
                    subject=message.subject,
                    body=message.body,
                    created_at=event.created_at,
                )
            )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # another process wrote it meanwhile
    finally:
        await engine.dispose()
