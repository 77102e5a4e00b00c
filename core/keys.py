"""Instance keys: secrets a deployment keeps to seal values at rest.

Cart tokens are stored as SHA-256 digests (``core.carts.tokens``), but a customer must
be handed the token of their own cart on a device that never saw it (``me.activeCart``,
the cart that survives a merge on login). So each cart also keeps its token *sealed*:
XORed with a pad that only this key can produce. A database dump without the key
reveals no usable token.

The key comes from ``OMNICART_SECRET_KEY`` when set (production: keep it in your secret
store, the same value in every process). Otherwise it is generated once, at random, and
kept in the database's ``instance_keys`` table, so a demo or a single SQLite process
works without configuration; then the key is as safe as the database itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import table_of
from core.keys_table import InstanceKeyRow

_keys = table_of(InstanceKeyRow)

CART_SEAL = "cart-token-seal"
# Pickup codes are kept sealed (shown to the order's owner) and checked by an HMAC.
PICKUP_CODE_SEAL = "pickup-code-seal"


class KeyRing:
    """Loads each key once per process; concurrent first uses share one load."""

    def __init__(self, engine: AsyncEngine, configured: str = "") -> None:
        self._engine = engine
        self._configured = configured
        self._loaded: dict[str, bytes] = {}
        self._lock = asyncio.Lock()

    async def key(self, name: str) -> bytes:
        found = self._loaded.get(name)
        if found is not None:
            return found
        async with self._lock:
            if name not in self._loaded:
                self._loaded[name] = await self._load(name)
        return self._loaded[name]

    async def _load(self, name: str) -> bytes:
        if self._configured:
            # One configured secret, a separate key per purpose.
            return hashlib.sha256(f"{name}\0{self._configured}".encode()).digest()
        builder = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        async with self._engine.begin() as connection:
            await connection.execute(
                builder(_keys)
                .values(name=name, value=secrets.token_hex(32), created_at=datetime.now(UTC))
                .on_conflict_do_nothing(index_elements=["name"])
            )
            value = (
                await connection.execute(select(_keys.c.value).where(_keys.c.name == name))
            ).scalar_one()
        return bytes.fromhex(value)
