"""Webhook mutations (staff, scope ``webhooks:manage``)."""

from __future__ import annotations

import strawberry

from core.errors import DomainError
from core.webhooks import services
from core.webhooks.model import WebhookId
from schema.context import Context
from schema.errors import UserError, user_errors
from schema.inputs import decode_id, given
from schema.permissions import CanManageWebhooks
from schema.webhooks.types import EventTypeValue, Webhook

Info = strawberry.Info[Context, None]


@strawberry.type
class WebhookCreatePayload:
    webhook: Webhook | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret, shown this once: keep it to verify "
        "Omnicart-Signature (docs/operations.md).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookUpdatePayload:
    webhook: Webhook | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhooksMutation:
    @strawberry.mutation(
        permission_classes=[CanManageWebhooks],
        description="Register a webhook: matching events committed from now on are POSTed "
        "to url, signed with the secret returned once. Needs webhooks:manage. Errors: "
        "INVALID_WEBHOOK_URL, REQUIRED, UNKNOWN_CHANNEL.",
    )
    async def webhook_create(
        self,
        info: Info,
        url: str,
        events: list[EventTypeValue],
        channel: str | None = None,
    ) -> WebhookCreatePayload:
        try:
            created = await services.create_webhook(
                info.context.runtime.uow(),
                url=url,
                event_types=[event.value for event in events],
                channel=channel,
            )
        except DomainError as error:
            return WebhookCreatePayload(errors=user_errors(error, prefix=None))
        return WebhookCreatePayload(
            webhook=Webhook.from_model(created.webhook), secret=created.secret
        )

    @strawberry.mutation(
        permission_classes=[CanManageWebhooks],
        description="Change a webhook; active: true reactivates a FAILING or DISABLED one "
        "(it retries where it stopped), false disables it. Needs webhooks:manage. Errors: "
        "NOT_FOUND, INVALID_ID, INVALID_WEBHOOK_URL, REQUIRED.",
    )
    async def webhook_update(
        self,
        info: Info,
        id: strawberry.ID,
        url: str | None = None,
        events: list[EventTypeValue] | None = None,
        active: bool | None = None,
    ) -> WebhookUpdatePayload:
        try:
            webhook = await services.update_webhook(
                info.context.runtime.uow(),
                webhook_id=WebhookId(decode_id(id, "Webhook", field="id")),
                url=given(url),
                event_types=given(None if events is None else [e.value for e in events]),
                active=given(active),
            )
        except DomainError as error:
            return WebhookUpdatePayload(errors=user_errors(error, prefix=None))
        return WebhookUpdatePayload(webhook=Webhook.from_model(webhook))

    @strawberry.mutation(
        permission_classes=[CanManageWebhooks],
        description="Remove a webhook and its delivery log. Needs webhooks:manage. Errors: "
        "NOT_FOUND, INVALID_ID.",
    )
    async def webhook_delete(self, info: Info, id: strawberry.ID) -> WebhookDeletePayload:
        try:
            await services.delete_webhook(
                info.context.runtime.uow(),
                webhook_id=WebhookId(decode_id(id, "Webhook", field="id")),
            )
        except DomainError as error:
            return WebhookDeletePayload(errors=user_errors(error, prefix=None))
        return WebhookDeletePayload(deleted_id=id)
