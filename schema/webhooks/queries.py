"""Webhook queries (staff, scope ``webhooks:manage``): the webhooks and their delivery log."""

from __future__ import annotations

import strawberry

from core.errors import DomainError, ErrorCode
from core.webhooks import services
from core.webhooks.model import WebhookId
from schema.context import Context
from schema.errors import bad_input
from schema.inputs import decode_id
from schema.permissions import CanManageWebhooks
from schema.webhooks.types import Webhook, WebhookDeliveryConnection

Info = strawberry.Info[Context, None]


@strawberry.type
class WebhooksQuery:
    @strawberry.field(
        description="Every webhook, oldest first (staff, scope webhooks:manage).",
        permission_classes=[CanManageWebhooks],
    )
    async def webhooks(self, info: Info) -> list[Webhook]:
        return [
            Webhook.from_model(webhook)
            for webhook in await services.list_webhooks(info.context.runtime.uow())
        ]

    @strawberry.field(
        description="A webhook's delivery log, one entry per attempt, newest first (staff, "
        "scope webhooks:manage).",
        permission_classes=[CanManageWebhooks],
    )
    async def webhook_deliveries(
        self, info: Info, webhook_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> WebhookDeliveryConnection:
        runtime = info.context.runtime
        try:
            maximum = runtime.settings.max_page_size
            if not 0 <= first <= maximum:
                raise DomainError.single(
                    ErrorCode.INVALID, f"first must be between 0 and {maximum}", "first"
                )
            page = await services.webhook_deliveries(
                runtime.uow(),
                webhook_id=WebhookId(decode_id(webhook_id, "Webhook", field="webhookId")),
                first=first,
                after=None
                if after is None
                else decode_id(after, "WebhookDeliveryCursor", field="after"),
            )
        except DomainError as error:
            raise bad_input(error) from None
        return WebhookDeliveryConnection.from_page(page)
