"""Order numbers people read out, and order tokens guests keep.

A number is ``OC-`` and eight characters of Crockford's base 32 (no I, L, O or U), in
two groups: ``OC-7KQ2-M9XD``. It is drawn at random (40 bits), so it says nothing
about how many orders there are and the next one cannot be guessed; it is unique by a
database constraint, and a draw that meets an existing number is drawn again.

An order token (``omot_`` and 43 URL-safe characters, 256 random bits) is what a guest
reads their order with (``orderByToken``); like cart tokens only its digest is stored.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_PATTERN: Final = re.compile(r"^OC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
TOKEN_PREFIX: Final = "omot_"
_TOKEN_PATTERN: Final = re.compile(r"^omot_[A-Za-z0-9_-]{43}$")


def new_number() -> str:
    characters = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"OC-{characters[:4]}-{characters[4:]}"


def new_token() -> str:
    return f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"


def looks_like_token(token: str) -> bool:
    return _TOKEN_PATTERN.match(token) is not None
