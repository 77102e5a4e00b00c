"""Webhook receivers for tests: a real HTTP server on 127.0.0.1 (asyncio streams, an
ephemeral port), and the dispatcher that delivers to the webhooks of a runtime."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from core.event_hooks.dispatcher import EventDispatcher
from core.runtime import Runtime
from core.webhooks.delivery import webhook_consumers
from schema.webhooks.sender import HttpxSender
from schema.webhooks.types import webhook_label


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        decoded: dict[str, Any] = orjson.loads(self.body)
        return decoded

    def signed_by(self, secret: str) -> bool:
        """The documented check (docs/operations.md): HMAC-SHA256 of "{timestamp}.{body}"."""
        timestamp = self.headers["omnicart-timestamp"]
        expected = hmac.new(
            secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(self.headers["omnicart-signature"], f"v1={expected}")


@dataclass
class Receiver:
    """Answers each POST with the next of ``answers`` (200 once they run out)."""

    port: int = 0
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # Runs before each answer (a slow receiver, something else happening meanwhile).
    before_answer: Callable[[], Awaitable[None]] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def types(self) -> list[str]:
        return [request.json()["type"] for request in self.received]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status = self.answers.pop(0) if self.answers else 200
                self.received.append(Received(headers, body))
                self.arrived.set()
                if self.before_answer is not None:
                    await self.before_answer()
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n".encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def receiving(answers: list[int] | None = None) -> AsyncIterator[Receiver]:
    receiver = Receiver(answers=list(answers or []))
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    async with server:
        yield receiver


@asynccontextmanager
async def webhook_dispatcher(runtime: Runtime) -> AsyncIterator[EventDispatcher]:
    """A process's delivery to its webhooks (as ``schema.app`` runs it, without plugins)."""
    async with httpx.AsyncClient() as client:
        sender = HttpxSender(client, timeout_seconds=runtime.settings.webhook_timeout_seconds)
        yield EventDispatcher(runtime, sources=(webhook_consumers(runtime, sender, webhook_label),))
