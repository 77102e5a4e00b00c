"""Cart tokens: the capability to read and change a cart.

A token is ``omct_`` followed by 43 URL-safe characters (256 random bits). Only its
SHA-256 digest is stored, so a database dump reveals no usable token; a fast digest is
enough because the secret is random, not a password. The digest found by the index is
compared again with ``hmac.compare_digest`` before a cart is trusted, so no comparison
of secrets depends on how many leading characters match.

Tokens are never logged: log lines name carts by id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Final

TOKEN_PREFIX: Final = "omct_"
_TOKEN_PATTERN = re.compile(r"^omct_[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"


def looks_like_token(token: str) -> bool:
    return _TOKEN_PATTERN.match(token) is not None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_digest(
    stored: str,
    token: str,
    *,
    compare: Callable[[bytes, bytes], bool] = hmac.compare_digest,
) -> bool:
    """Constant-time check that ``token`` hashes to ``stored``.

    ``compare`` is the comparison of the two digests: ``hmac.compare_digest``, whose
    time does not depend on how many leading bytes match (a parameter so that a test
    can watch what is compared without patching the standard library).
    """
    return compare(stored.encode(), digest(token).encode())


def seal(token: str, key: bytes) -> str:
    """The token XORed with a pad from the instance key and the token's digest (hex).

    Each token has its own pad (the digest differs), and without the key the pad is
    unpredictable, so the sealed value reveals nothing usable.
    """
    raw = token.encode()
    return bytes(a ^ b for a, b in zip(raw, _pad(key, digest(token), len(raw)), strict=True)).hex()


def unseal(sealed: str, token_digest: str, key: bytes) -> str | None:
    """The token back, or None when it does not match its digest (another key)."""
    raw = bytes.fromhex(sealed)
    pad = _pad(key, token_digest, len(raw))
    token = bytes(a ^ b for a, b in zip(raw, pad, strict=True)).decode(errors="replace")
    return token if same_digest(token_digest, token) else None


def _pad(key: bytes, token_digest: str, length: int) -> bytes:
    return hmac.new(key, token_digest.encode(), hashlib.sha512).digest()[:length]
