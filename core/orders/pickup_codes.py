"""Pickup codes: short, typed by people at a till, never stored in the clear.

A code is 6 characters of an alphabet without look-alikes (about 10^9 codes). A short
code's plain SHA-256 could be reversed by trying them all, so the stored digest is an
HMAC under the instance key (``core.keys.PICKUP_CODE_SEAL``) and the order id; the
code is also kept sealed (XORed with a pad only that key produces) so that the order's
owner can be shown it again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH: Final = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """What a person typed, as the code is issued (case and spaces do not matter)."""
    return "".join(code.split()).upper()


def code_digest(code: str, order_id: int, key: bytes) -> str:
    return hmac.new(key, f"{order_id}:{code}".encode(), hashlib.sha256).hexdigest()


def matches(stored_digest: str, code: str, order_id: int, key: bytes) -> bool:
    """Constant-time check of a typed code against the stored digest."""
    return hmac.compare_digest(stored_digest, code_digest(normalise(code), order_id, key))


def seal(code: str, digest: str, key: bytes) -> str:
    raw = code.encode()
    return bytes(a ^ b for a, b in zip(raw, _pad(key, digest, len(raw)), strict=True)).hex()


def unseal(sealed: str, digest: str, order_id: int, key: bytes) -> str | None:
    """The code back, or None when it does not match its digest (another key)."""
    raw = bytes.fromhex(sealed)
    code = bytes(a ^ b for a, b in zip(raw, _pad(key, digest, len(raw)), strict=True))
    text = code.decode(errors="replace")
    return text if matches(digest, text, order_id, key) else None


def _pad(key: bytes, digest: str, length: int) -> bytes:
    return hmac.new(key, f"seal:{digest}".encode(), hashlib.sha512).digest()[:length]
