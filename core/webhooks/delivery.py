"""Webhook delivery: each active webhook is an outbox consumer (``core.event_hooks``) with
its own cursor, so it gets its events after commit, in commit order, at least once, and
across restarts; this module says how one event is given to one webhook.

The request (docs/operations.md, "Webhooks", documents it for receivers)::

    POST <url>
    Content-Type: application/json
    Omnicart-Webhook-Id: <webhook global id>
    Omnicart-Timestamp: <unix seconds>
    Omnicart-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

    {"id": ..., "type": ..., "topic": ..., "createdAt": ..., "subjectIds": [...], "payload": {...}}

A 2xx answer delivers the event. Anything else (another status, a timeout, a refused
connection) is a failure: the same event is tried again after a pause that doubles
(``OMNICART_WEBHOOK_RETRY_SECONDS``, at most ``MAX_RETRY_SECONDS``) and later events wait,
so order holds. After ``OMNICART_WEBHOOK_MAX_FAILURES`` failures in a row the webhook is
``FAILING`` and no longer attempted; reactivating it retries the same event. Every
attempt is one row of the delivery log (``webhook_deliveries``).

Events a webhook did not subscribe to, or of another channel than its own, pass it by
unlogged. The channel of an event: ``channel_id`` in its payload (PriceChanged,
OrderPlaced), else its order's (topic ``order``) or cart's (topic ``cart``) channel;
StockChanged belongs to no channel, so a channel's webhook never gets it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final, Protocol

import orjson
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.carts.events import CART_TOPIC
from core.carts.tables import CartRow
from core.db import table_of
from core.event_hooks.consumers import Consumer, ConsumerSource, retry_pause
from core.events.model import DeliveredEvent
from core.orders.events import ORDER_TOPIC
from core.orders.tables import OrderRow
from core.runtime import Runtime
from core.webhooks.model import Webhook, WebhookStatus
from core.webhooks.services import cursor_name, record_attempt, webhook_of, webhook_table

logger = logging.getLogger(__name__)

MAX_RETRY_SECONDS: Final = 3600.0
SIGNATURE_VERSION: Final = "v1"

_orders = table_of(OrderRow)
_carts = table_of(CartRow)


class WebhookUnreachable(Exception):
    """No answer came: a timeout, a refused or reset connection (the message says which)."""


class Sender(Protocol):
    """POSTs a webhook's body; the HTTP client lives in the outer layer (``schema``),
    since core imports no web package."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The answer's status code; raises ``WebhookUnreachable`` when none came."""
        ...


# Names a webhook in ``Omnicart-Webhook-Id``: its API id (the composition root passes
# the GraphQL layer's global id encoder; core does not know it).
WebhookLabel = Callable[[int], str]


def event_body(event: DeliveredEvent) -> bytes:
    """The JSON body POSTed for ``event``."""
    return orjson.dumps(
        {
            "id": event.id,
            "type": event.type,
            "topic": event.topic,
            "createdAt": event.created_at.isoformat(),
            "subjectIds": list(event.subject_ids),
            "payload": event.payload,
        }
    )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``Omnicart-Signature``: ``v1=`` and the hex HMAC-SHA256 of ``"{timestamp}.{body}"``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


async def event_channel_id(connection: AsyncConnection, event: DeliveredEvent) -> int | None:
    """The channel an event belongs to, or None (module docstring)."""
    named = event.payload.get("channel_id")
    if isinstance(named, int):
        return named
    if not event.subject_ids:
        return None
    table = {ORDER_TOPIC: _orders, CART_TOPIC: _carts}.get(event.topic)
    if table is None:
        return None
    channel_id = await connection.scalar(
        select(table.c.channel_id).where(table.c.id == event.subject_ids[0])
    )
    return None if channel_id is None else int(channel_id)


class WebhookConsumer:
    """One active webhook as a consumer of the outbox."""

    def __init__(
        self,
        runtime: Runtime,
        http: Sender,
        webhook: Webhook,
        secret: str,
        label: WebhookLabel,
    ) -> None:
        self._runtime = runtime
        self._http = http
        self._label = label
        self._webhook = webhook
        self._secret = secret
        settings = runtime.settings
        self._max_attempts = settings.webhook_max_failures
        self._first_retry_seconds = settings.webhook_retry_seconds

    @property
    def name(self) -> str:
        return cursor_name(self._webhook.id)

    @property
    def max_attempts(self) -> int:
        return self._max_attempts

    def retry_pause(self, attempts: int) -> timedelta:
        return retry_pause(
            attempts, first_seconds=self._first_retry_seconds, max_seconds=MAX_RETRY_SECONDS
        )

    async def _wants(self, event: DeliveredEvent) -> bool:
        if event.type not in self._webhook.event_types:
            return False
        if self._webhook.channel_id is None:
            return True
        async with self._runtime.engine.connect() as connection:
            return await event_channel_id(connection, event) == self._webhook.channel_id

    async def give(self, event: DeliveredEvent, *, attempts: int) -> str | None:
        if not await self._wants(event):
            return None
        now = self._runtime.clock.now()
        timestamp = int(now.timestamp())
        body = event_body(event)
        headers = {
            "Content-Type": "application/json",
            "Omnicart-Webhook-Id": self._label(self._webhook.id),
            "Omnicart-Timestamp": str(timestamp),
            "Omnicart-Signature": signature(self._secret, timestamp, body),
        }
        status_code: int | None = None
        error: str | None = None
        try:
            status_code = await self._http.post(self._webhook.url, body, headers)
        except WebhookUnreachable as failure:
            error = str(failure)
        else:
            if not 200 <= status_code < 300:
                error = f"answered HTTP {status_code}"
        failures = attempts + 1
        next_retry_at: datetime | None = None
        if error is not None and failures < self._max_attempts:
            next_retry_at = now + self.retry_pause(failures)
        await record_attempt(
            self._runtime.uow(),
            webhook_id=self._webhook.id,
            event_id=event.id,
            event_type=event.type,
            attempts=failures,
            status_code=status_code,
            error=error,
            attempted_at=now,
            next_retry_at=next_retry_at,
        )
        if error is not None:
            logger.warning(
                "webhook delivery failed webhook=%d event=%d attempts=%d error=%s",
                self._webhook.id,
                event.id,
                failures,
                error,
            )
        return error

    async def exhausted(
        self,
        connection: AsyncConnection,
        *,
        event: DeliveredEvent,
        attempts: int,
        error: str,
        now: datetime,
    ) -> bool:
        """Marks the webhook failing; the cursor stays at the event for a reactivation."""
        logger.error(
            "webhook failing webhook=%d event=%d attempts=%d error=%s",
            self._webhook.id,
            event.id,
            attempts,
            error,
        )
        await connection.execute(
            update(webhook_table)
            .where(
                webhook_table.c.id == self._webhook.id,
                webhook_table.c.status == WebhookStatus.ACTIVE.value,
            )
            .values(status=WebhookStatus.FAILING.value, updated_at=now)
        )
        return False


def webhook_consumers(runtime: Runtime, http: Sender, label: WebhookLabel) -> ConsumerSource:
    """The active webhooks, read on each pass (staff add and change them at any time)."""

    async def listed() -> Sequence[Consumer]:
        async with runtime.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(webhook_table)
                    .where(webhook_table.c.status == WebhookStatus.ACTIVE.value)
                    .order_by(webhook_table.c.id)
                )
            ).all()
        return [
            WebhookConsumer(runtime, http, webhook_of(row), str(row.secret), label) for row in rows
        ]

    return listed
