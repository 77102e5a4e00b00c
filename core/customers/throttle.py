"""Throttling password guessing: at most ``MAX_ATTEMPTS`` per email address per window.

Every password check (a login, a password change) first claims an attempt for the
address in a committed transaction of its own, before the password is verified; a
check that passes forgets the address's attempts. Counting before verifying keeps the
limit exact under concurrency: parallel guesses cannot all slip past a count that no
failure has reached yet. The claim is one conditional upsert, atomic in every process.

Attempts are counted per address whether an account has it or not, so a locked
address says nothing about which addresses exist. The price: anyone can lock an
address out for up to ``WINDOW`` by guessing. Limits per client (by IP address)
belong in the reverse proxy, which is the one that sees the client's address.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import case, delete, literal, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.tables import LoginAttemptsRow
from core.db import table_of
from core.errors import DomainError, ErrorCode

MAX_ATTEMPTS: Final = 10
WINDOW: Final = timedelta(minutes=15)

_attempts = table_of(LoginAttemptsRow)


def too_many_attempts(field: str | None = None) -> DomainError:
    minutes = int(WINDOW.total_seconds() // 60)
    return DomainError.single(
        ErrorCode.TOO_MANY_ATTEMPTS,
        f"Too many password attempts for this email; try again in at most {minutes} minutes",
        field,
    )


async def claim_attempt(session: AsyncSession, *, email: str, now: datetime) -> bool:
    """Count one attempt for ``email``; False (and nothing counted) while it is locked.

    A window starts with an address's first attempt and lasts ``WINDOW``; the next
    attempt after it starts a new one.
    """
    stamp = literal(now, type_=_attempts.c.window_started_at.type)
    expired = _attempts.c.window_started_at <= now - WINDOW
    values = {"email": email, "attempts": 1, "window_started_at": now}
    set_ = {
        "attempts": case((expired, 1), else_=_attempts.c.attempts + 1),
        "window_started_at": case((expired, stamp), else_=_attempts.c.window_started_at),
    }
    allowed = or_(expired, _attempts.c.attempts < MAX_ATTEMPTS)
    if session.get_bind().dialect.name == "postgresql":
        pg_insert = postgresql.insert(_attempts).values(values)
        statement = pg_insert.on_conflict_do_update(
            index_elements=["email"], set_=set_, where=allowed
        ).returning(_attempts.c.attempts)
    else:
        lite_insert = sqlite.insert(_attempts).values(values)
        statement = lite_insert.on_conflict_do_update(
            index_elements=["email"], set_=set_, where=allowed
        ).returning(_attempts.c.attempts)
    # The conditional update returns no row when the address is locked.
    return (await session.execute(statement)).first() is not None


async def forget_attempts(session: AsyncSession, *, email: str) -> None:
    """A password check passed: the address starts again with no attempts counted."""
    await session.execute(delete(_attempts).where(_attempts.c.email == email))
