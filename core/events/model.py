"""What a domain event must say to leave its transaction: its topic and the ids it concerns.

Most events stay inside the process that recorded them (``UnitOfWork.committed_events``).
An event class that derives from ``PublishedEvent`` is also written to the outbox in
the committing transaction (``core.events.outbox``) and reaches the subscribers of its
topic in every process (``core.events.bus``). Adding one is writing the class::

    @dataclass(frozen=True, slots=True)
    class CartChanged(PublishedEvent):
        topic: ClassVar[str] = "cart"

        cart_id: CartId
        version: int

        def subject_ids(self) -> tuple[int, ...]:
            return (self.cart_id,)

        def payload(self) -> dict[str, JsonValue]:
            return {"cart_id": self.cart_id, "version": self.version}

Subscribers of ``cart`` then filter ``BusMessage.subject_ids`` by the carts they watch.
After the commit, plugins implementing ``omnicart_event`` receive each one as a
``DeliveredEvent`` (``core.event_hooks``), its ``type`` being the class name.

What goes out is small and coarse: ids, never tokens, names, addresses or amounts.
Subscribers re-read what they show; the payload is the event's record in the outbox
(for the plugin event hooks and webhooks, ``core.webhooks``), not a copy of the changed
data. The one exception, a public base price, is argued in ``core.catalog.events``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


class PublishedEvent(ABC):
    """A domain event written to the outbox and published on ``topic`` after commit."""

    __slots__ = ()

    # Subscribers choose events by topic ("stock", "cart"); at most 64 characters.
    topic: ClassVar[str]

    @abstractmethod
    def subject_ids(self) -> tuple[int, ...]:
        """The ids subscribers of the topic filter by (variants for stock, the cart for cart)."""

    @abstractmethod
    def payload(self) -> dict[str, JsonValue]:
        """The event as stored in the outbox: ids and codes only, never secrets."""

    @classmethod
    def event_type(cls) -> str:
        """The event's name for plugins (``DeliveredEvent.type``): the class name.

        Plugins match on it, so renaming a published event class is a breaking change.
        """
        return cls.__name__


@dataclass(frozen=True, slots=True)
class DeliveredEvent:
    """A committed published event as the ``omnicart_event`` hook receives it.

    ``id`` is the outbox row's id: unique, so a plugin can recognise an event it was
    given before (delivery is at least once). It is not commit order; the delivery
    order is (``core.event_hooks``).
    """

    id: int
    topic: str
    # The event class's name, such as "StockChanged" or "CartChanged".
    type: str
    subject_ids: tuple[int, ...]
    # The event's ``payload()``: ids and codes only.
    payload: dict[str, JsonValue]
    # When the change was committed, by the writer's clock.
    created_at: datetime
