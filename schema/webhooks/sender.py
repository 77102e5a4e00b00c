"""The webhooks' HTTP client (``core.webhooks.delivery.Sender``): httpx, with a timeout.

Here rather than in core: core imports no web package (``lint-imports``).
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from core.webhooks.delivery import WebhookUnreachable


class HttpxSender:
    """POSTs with one shared ``httpx.AsyncClient``; redirects are not followed (a
    receiver answering 3xx has not taken the event)."""

    def __init__(self, client: httpx.AsyncClient, *, timeout_seconds: float) -> None:
        self._client = client
        self._timeout = timeout_seconds

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            response = await self._client.post(
                url, content=body, headers=dict(headers), timeout=self._timeout
            )
        except httpx.TimeoutException:
            raise WebhookUnreachable(f"timed out after {self._timeout:g} s") from None
        except httpx.HTTPError as failure:  # refused, reset, bad address: the receiver's side
            raise WebhookUnreachable(f"{type(failure).__name__}: {failure}") from None
        return response.status_code
