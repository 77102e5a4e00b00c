"""Webhook use cases for staff (scope ``webhooks:manage``): register, change, remove, list,
and read the delivery log."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy import Row, select, update

from core.channels.tables import ChannelRow
from core.db import table_of
from core.errors import DomainError, ErrorCode, Problem
from core.event_hooks import cursors
from core.unset import UNSET, Unset
from core.uow import UnitOfWork
from core.webhooks.event_types import EVENT_TYPES
from core.webhooks.model import (
    CreatedWebhook,
    DeliveryAttempt,
    DeliveryPage,
    Webhook,
    WebhookId,
    WebhookStatus,
)
from core.webhooks.tables import WebhookDeliveryRow, WebhookRow

webhook_table = table_of(WebhookRow)
delivery_table = table_of(WebhookDeliveryRow)
_channels = table_of(ChannelRow)

URL_MAX_LENGTH: Final = 2000


def cursor_name(webhook_id: int) -> str:
    """The webhook's cursor key in ``event_cursors`` (plugins use their own names)."""
    return f"webhook:{webhook_id}"


def webhook_of(row: Row[Any]) -> Webhook:
    return Webhook(
        id=WebhookId(int(row.id)),
        url=str(row.url),
        event_types=tuple(row.event_types),
        channel_id=row.channel_id,
        status=WebhookStatus(row.status),
        created_at=row.created_at,
    )


def _in_list_order(event_types: Sequence[str]) -> list[str]:
    """Each subscribed type once, in ``EVENT_TYPES`` order."""
    return sorted(set(event_types), key=EVENT_TYPES.index)


def _problems(url: str | None, event_types: Sequence[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    if url is not None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > URL_MAX_LENGTH:
            problems.append(
                Problem(
                    ErrorCode.INVALID_WEBHOOK_URL,
                    "A webhook URL is an absolute http:// or https:// URL with a host",
                    "url",
                )
            )
    if event_types is not None:
        if not event_types:
            problems.append(Problem(ErrorCode.REQUIRED, "Choose at least one event", "events"))
        for position, name in enumerate(event_types):
            if name not in EVENT_TYPES:
                problems.append(
                    Problem(ErrorCode.INVALID, f"There is no event {name!r}", f"events.{position}")
                )
    return problems


async def create_webhook(
    uow: UnitOfWork, *, url: str, event_types: Sequence[str], channel: str | None = None
) -> CreatedWebhook:
    """Register a subscriber; it receives the matching events committed from now on.

    Raises ``DomainError``: ``INVALID_WEBHOOK_URL``, ``REQUIRED`` (no events),
    ``INVALID`` (an unknown event), ``UNKNOWN_CHANNEL``.
    """
    async with uow:
        connection = await uow.connection()
        problems = _problems(url, event_types)
        channel_id = None
        if channel is not None:
            channel_id = await connection.scalar(
                select(_channels.c.id).where(_channels.c.slug == channel)
            )
            if channel_id is None:
                problems.append(
                    Problem(
                        ErrorCode.UNKNOWN_CHANNEL, f"There is no channel {channel!r}", "channel"
                    )
                )
        if problems:
            raise DomainError(problems)
        now = uow.clock.now()
        secret = secrets.token_hex(32)
        row = (
            await connection.execute(
                webhook_table.insert()
                .values(
                    url=url.strip(),
                    secret=secret,
                    event_types=_in_list_order(event_types),
                    channel_id=channel_id,
                    status=WebhookStatus.ACTIVE.value,
                    created_at=now,
                    updated_at=now,
                )
                .returning(*webhook_table.c)
            )
        ).one()
        await cursors.start(connection, plugin=cursor_name(row.id), now=now)
        await uow.commit()
    return CreatedWebhook(webhook=webhook_of(row), secret=secret)


async def update_webhook(
    uow: UnitOfWork,
    *,
    webhook_id: WebhookId,
    url: str | Unset = UNSET,
    event_types: Sequence[str] | Unset = UNSET,
    active: bool | Unset = UNSET,
) -> Webhook:
    """Change a webhook; ``active`` True (re)activates a failing or disabled one, which
    retries where it stopped at once; False disables it.

    Raises ``DomainError``: ``NOT_FOUND``, ``INVALID_WEBHOOK_URL``, ``REQUIRED``, ``INVALID``.
    """
    async with uow:
        connection = await uow.connection()
        problems = _problems(
            None if isinstance(url, Unset) else url,
            None if isinstance(event_types, Unset) else event_types,
        )
        if problems:
            raise DomainError(problems)
        values: dict[str, object] = {"updated_at": uow.clock.now()}
        if not isinstance(url, Unset):
            values["url"] = url.strip()
        if not isinstance(event_types, Unset):
            values["event_types"] = _in_list_order(event_types)
        if not isinstance(active, Unset):
            status = WebhookStatus.ACTIVE if active else WebhookStatus.DISABLED
            values["status"] = status.value
        row = (
            await connection.execute(
                update(webhook_table)
                .where(webhook_table.c.id == webhook_id)
                .values(values)
                .returning(*webhook_table.c)
            )
        ).first()
        if row is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, "There is no such webhook", "id")
        if active is True:
            await cursors.resume(connection, plugin=cursor_name(webhook_id))
        await uow.commit()
    return webhook_of(row)


async def delete_webhook(uow: UnitOfWork, *, webhook_id: WebhookId) -> None:
    """Remove a webhook, its cursor and its delivery log. Raises ``DomainError``: ``NOT_FOUND``."""
    async with uow:
        connection = await uow.connection()
        deleted = await connection.execute(
            webhook_table.delete()
            .where(webhook_table.c.id == webhook_id)
            .returning(webhook_table.c.id)
        )
        if deleted.first() is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, "There is no such webhook", "id")
        await cursors.remove(connection, plugin=cursor_name(webhook_id))
        await uow.commit()


async def list_webhooks(uow: UnitOfWork) -> list[Webhook]:
    """Every webhook, oldest first."""
    async with uow:
        connection = await uow.connection()
        rows = (await connection.execute(select(webhook_table).order_by(webhook_table.c.id))).all()
    return [webhook_of(row) for row in rows]


async def webhook_deliveries(
    uow: UnitOfWork, *, webhook_id: WebhookId, first: int, after: int | None = None
) -> DeliveryPage:
    """A webhook's delivery log, newest attempt first, after the attempt id ``after``.

    Raises ``DomainError``: ``NOT_FOUND``.
    """
    async with uow:
        connection = await uow.connection()
        exists = await connection.scalar(
            select(webhook_table.c.id).where(webhook_table.c.id == webhook_id)
        )
        if exists is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, "There is no such webhook", "webhookId")
        statement = (
            select(delivery_table)
            .where(delivery_table.c.webhook_id == webhook_id)
            .order_by(delivery_table.c.id.desc())
            .limit(first + 1)
        )
        if after is not None:
            statement = statement.where(delivery_table.c.id < after)
        rows = (await connection.execute(statement)).all()
    return DeliveryPage(
        attempts=tuple(_attempt_of(row) for row in rows[:first]),
        has_next_page=len(rows) > first,
    )


def _attempt_of(row: Row[Any]) -> DeliveryAttempt:
    return DeliveryAttempt(
        id=int(row.id),
        webhook_id=WebhookId(int(row.webhook_id)),
        event_id=int(row.event_id),
        event_type=str(row.event_type),
        attempts=int(row.attempts),
        status_code=row.status_code,
        error=row.error,
        attempted_at=row.attempted_at,
        delivered_at=row.delivered_at,
        next_retry_at=row.next_retry_at,
    )


async def record_attempt(
    uow: UnitOfWork,
    *,
    webhook_id: WebhookId,
    event_id: int,
    event_type: str,
    attempts: int,
    status_code: int | None,
    error: str | None,
    attempted_at: datetime,
    next_retry_at: datetime | None,
) -> None:
    """Append one attempt to the delivery log (delivered when ``error`` is None)."""
    async with uow:
        connection = await uow.connection()
        await connection.execute(
            delivery_table.insert().values(
                webhook_id=webhook_id,
                event_id=event_id,
                event_type=event_type,
                attempts=attempts,
                status_code=status_code,
                error=None if error is None else error[:2000],
                attempted_at=attempted_at,
                delivered_at=attempted_at if error is None else None,
                next_retry_at=next_retry_at,
            )
        )
        await uow.commit()
