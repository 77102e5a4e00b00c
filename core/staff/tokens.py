"""Opaque staff tokens: 256 random bits, stored as SHA-256 digests.

The token is ``omst_<prefix>_<secret>``; the prefix is stored in clear so an
operator can name a token (``omnicart staff revoke-token PREFIX``) without it.
A fast digest is enough because the secret is random, not a password.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_PREFIX = "omst_"
_TOKEN_PATTERN = re.compile(r"^omst_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$")


def new_token() -> tuple[str, str]:
    """A fresh token and its public prefix."""
    prefix = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return _TOKEN_PATTERN.match(token) is not None
