"""Webhook values: a subscriber, its status and one attempt of its delivery log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NewType

WebhookId = NewType("WebhookId", int)


class WebhookStatus(StrEnum):
    ACTIVE = "active"
    # Failed ``OMNICART_WEBHOOK_MAX_FAILURES`` times in a row; not attempted until
    # staff reactivate it (webhookUpdate active: true), which retries where it stopped.
    FAILING = "failing"
    # Switched off by staff (webhookUpdate active: false); resumes where it stopped.
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class Webhook:
    id: WebhookId
    url: str
    event_types: tuple[str, ...]
    channel_id: int | None
    status: WebhookStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CreatedWebhook:
    """A new webhook and its signing secret (given once, never read back)."""

    webhook: Webhook
    secret: str


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One POST of one event to one webhook."""

    id: int
    webhook_id: WebhookId
    event_id: int
    event_type: str
    attempts: int
    status_code: int | None
    error: str | None
    attempted_at: datetime
    delivered_at: datetime | None
    next_retry_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryPage:
    attempts: tuple[DeliveryAttempt, ...]
    has_next_page: bool
