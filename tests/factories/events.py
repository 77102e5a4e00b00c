"""Events to test the outbox and the bus with: a sample event of another domain, and the
outbox rows as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select

from core.events.model import JsonValue, PublishedEvent
from core.events.outbox import outbox_table as outbox
from core.runtime import Runtime

# No delivery ever takes longer than this; a test fails instead of hanging.
DELIVERY_TIMEOUT = 10.0


# A published event of another domain, as the carts domain would add it: only the class.
CART_TOPIC = "cart"


@dataclass(frozen=True, slots=True)
class CartChanged(PublishedEvent):
    topic: ClassVar[str] = CART_TOPIC

    cart_id: int
    version: int

    def subject_ids(self) -> tuple[int, ...]:
        return (self.cart_id,)

    def payload(self) -> dict[str, JsonValue]:
        return {"cart_id": self.cart_id, "version": self.version}


@dataclass(frozen=True)
class StoredEvent:
    topic: str
    subject_ids: list[int]
    payload: dict[str, Any]
    created_at: datetime


async def stored_events(runtime: Runtime) -> list[StoredEvent]:
    async with runtime.engine.connect() as connection:
        rows = (await connection.execute(select(outbox).order_by(outbox.c.id))).all()
    return [StoredEvent(row.topic, row.subject_ids, row.payload, row.created_at) for row in rows]
