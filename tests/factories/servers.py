"""Real server processes for tests across processes: uvicorn serving ``create_app`` from
the environment, and a graphql-transport-ws receive with a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

# No push ever takes longer than this; a test fails instead of hanging.
PUSH_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "OMNICART_DATABASE_URL": database_url,
        "OMNICART_DEFAULT_CHANNEL": "web",
        "OMNICART_SWEEP_INTERVAL_SECONDS": "0",
    }
    with log.open("wb") as output:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "--factory", "schema.cli:app_from_environ"),
                *("--host", "127.0.0.1", "--port", str(port)),
            ],
            env=environment,
            cwd=Path(__file__).resolve().parents[2],
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def wait_until_healthy(http: httpx.AsyncClient, base: str, server: Popen[bytes]) -> None:
    deadline = asyncio.get_running_loop().time() + PUSH_TIMEOUT * 3
    while asyncio.get_running_loop().time() < deadline:
        assert server.poll() is None, "the server process exited"
        with contextlib.suppress(httpx.TransportError):
            if (await http.get(f"{base}/healthz")).status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{base} never became healthy")


@contextlib.asynccontextmanager
async def running_server(database_url: str, log: Path) -> AsyncIterator[str]:
    """One server process on ``database_url``, healthy; yields its base URL, then stops it."""
    port = free_port()
    server = start_server(database_url, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=PUSH_TIMEOUT) as http:
            await wait_until_healthy(http, base, server)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=PUSH_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()


async def receive(connection: ClientConnection) -> dict[str, Any]:
    """The next graphql-transport-ws message: a text frame, as the protocol asks
    (browser clients read no other)."""
    frame = await asyncio.wait_for(connection.recv(), PUSH_TIMEOUT)
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    message: dict[str, Any] = json.loads(frame)
    return message
