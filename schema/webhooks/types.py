"""Webhook types: the subscriber, its status, the event types and the delivery log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import strawberry

from core.webhooks import model
from core.webhooks.event_types import EVENT_TYPES
from schema.relay import PageInfo, to_global_id

# Every published event class name (core.webhooks.event_types: one list, no drift).
EventTypeValue = StrEnum("EventTypeValue", {name: name for name in EVENT_TYPES})  # type: ignore[misc]  # functional API: members from the list
EventType = strawberry.enum(
    EventTypeValue,
    name="EventType",
    description="A published domain event, by its class name (the delivered body's type).",
)


WebhookStatus = strawberry.enum(
    model.WebhookStatus,
    name="WebhookStatus",
    description="ACTIVE: delivered to; FAILING: stopped after too many failures in a row; "
    "DISABLED: switched off by staff. Reactivate with webhookUpdate(active: true).",
)


def webhook_label(webhook_id: int) -> str:
    """A webhook's global ID (also its ``Omnicart-Webhook-Id`` header)."""
    return to_global_id("Webhook", webhook_id)


@strawberry.type(description="A subscriber: where matching committed events are POSTed.")
class Webhook:
    id: strawberry.ID
    url: str
    events: list[EventType]  # type: ignore[valid-type]  # strawberry.enum returns the enum
    channel_id: strawberry.ID | None = strawberry.field(
        description="Only this channel's events (null: every event)."
    )
    status: WebhookStatus  # type: ignore[valid-type]  # strawberry.enum returns the enum
    created_at: datetime

    @classmethod
    def from_model(cls, webhook: model.Webhook) -> Webhook:
        return cls(
            id=strawberry.ID(webhook_label(webhook.id)),
            url=webhook.url,
            events=[EventTypeValue(name) for name in webhook.event_types],
            channel_id=None
            if webhook.channel_id is None
            else strawberry.ID(to_global_id("Channel", webhook.channel_id)),
            status=webhook.status,
            created_at=webhook.created_at,
        )


@strawberry.type(description="One attempt to deliver one event to a webhook.")
class WebhookDelivery:
    id: strawberry.ID
    event_id: str = strawberry.field(description="The body's id: the same on every retry.")
    event_type: EventType  # type: ignore[valid-type]  # strawberry.enum returns the enum
    attempts: int = strawberry.field(description="1 for the first attempt at this event, ...")
    status_code: int | None = strawberry.field(description="Null when no answer came.")
    error: str | None
    attempted_at: datetime
    delivered_at: datetime | None = strawberry.field(description="Set when answered 2xx.")
    next_retry_at: datetime | None = strawberry.field(
        description="When the event is tried again; null once delivered or when the "
        "webhook became FAILING."
    )

    @classmethod
    def from_model(cls, attempt: model.DeliveryAttempt) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", attempt.id)),
            event_id=str(attempt.event_id),
            event_type=EventTypeValue(attempt.event_type),
            attempts=attempt.attempts,
            status_code=attempt.status_code,
            error=attempt.error,
            attempted_at=attempt.attempted_at,
            delivered_at=attempt.delivered_at,
            next_retry_at=attempt.next_retry_at,
        )


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type(description="A webhook's delivery log, newest attempt first.")
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    nodes: list[WebhookDelivery]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: model.DeliveryPage) -> WebhookDeliveryConnection:
        edges = [
            WebhookDeliveryEdge(
                cursor=to_global_id("WebhookDeliveryCursor", attempt.id),
                node=WebhookDelivery.from_model(attempt),
            )
            for attempt in page.attempts
        ]
        return cls(
            edges=edges,
            nodes=[edge.node for edge in edges],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=False,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
