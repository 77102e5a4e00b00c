"""Opaque customer session tokens: 256 random bits, stored as SHA-256 digests.

The token is ``omcs_<prefix>_<secret>``. Staff tokens are ``omst_...``: each lookup
accepts only its own pattern, so neither kind is ever taken for the other (issue 5).
A fast digest is enough because the secret is random, not a password.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_PREFIX = "omcs_"
_TOKEN_PATTERN = re.compile(r"omcs_([a-z2-9]{8})_([A-Za-z0-9_-]{43})")
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_token() -> tuple[str, str]:
    """A fresh token and its public prefix (which names the session, never unlocks it)."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return _TOKEN_PATTERN.fullmatch(token) is not None


def matches(token: str, stored_digest: str) -> bool:
    """Whether ``token`` has ``stored_digest``, compared in constant time."""
    return hmac.compare_digest(digest(token), stored_digest)
