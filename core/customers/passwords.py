"""Password rules, and argon2id hashing that keeps the event loop free.

Parameters are OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): about
30 ms per hash on one core here, little enough memory that concurrent logins do not
exhaust a worker. Each hash is a PHC string carrying its parameters, so raising them
later only needs a change here: ``needs_rehash`` spots older hashes, and a login
stores a fresh one (``services.check_credentials``).

Hashing runs in the default thread pool (``asyncio.to_thread``): argon2 releases the
GIL, other requests keep being served, and the pool's size bounds how many hashes
(and how much memory) one process spends at a time.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import ErrorCode, Problem

logger = logging.getLogger(__name__)

MIN_LENGTH: Final = 8
MAX_LENGTH: Final = 256

# Parameters only: a PasswordHasher holds no state, so one shared instance is no cache.
HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

# Verified against when a login names an unknown email, so that it costs as much as a
# wrong password and its timing does not tell which addresses have accounts. Made with
# HASHER's parameters from a random password nobody kept (a test checks the parameters).
DUMMY_HASH: Final = (
    "$argon2id$v=19$m=19456,t=2,p=1$gKAlhbDfgDFKb+UDn7cWPg"
    "$Isi+0oj7svAwxV/7O+iSgt4CXoWWqxjywCGSmI1Lh/U"
)


def normalise(password: str) -> str:
    """NFKC, as NIST SP 800-63B advises: the same password typed on another device
    (another keyboard, composed or decomposed accents) hashes the same."""
    return unicodedata.normalize("NFKC", password)


def password_problems(password: str, *, email: str, field: str = "password") -> list[Problem]:
    """``REQUIRED`` when empty, ``PASSWORD_TOO_WEAK`` below ``MIN_LENGTH`` characters or
    equal to the email, ``INVALID`` above ``MAX_LENGTH``. ``password`` is normalised,
    ``email`` in lower case."""
    if not password:
        return [Problem(ErrorCode.REQUIRED, "Password must not be blank", field)]
    if len(password) < MIN_LENGTH:
        return [
            Problem(
                ErrorCode.PASSWORD_TOO_WEAK,
                f"A password needs at least {MIN_LENGTH} characters",
                field,
            )
        ]
    if len(password) > MAX_LENGTH:
        return [
            Problem(ErrorCode.INVALID, f"A password has at most {MAX_LENGTH} characters", field)
        ]
    if password.lower() == email:
        return [Problem(ErrorCode.PASSWORD_TOO_WEAK, "The password must not be the email", field)]
    return []


async def hash_password(password: str) -> str:
    """An argon2id hash of the normalised ``password``, computed off the event loop."""
    return await asyncio.to_thread(HASHER.hash, password)


async def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``, checked off the event loop."""
    try:
        return await asyncio.to_thread(HASHER.verify, password_hash, password)
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError):
        # A stored hash argon2 cannot read is a bug or a damaged row, never the user's
        # doing: refuse the login and say so in the log (without the hash).
        logger.warning("customer password hash unreadable; login refused")
        return False


async def spend_a_verification(password: str) -> None:
    """Cost what ``verify`` costs, for an email without an account."""
    await verify(DUMMY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than ``HASHER``'s."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
