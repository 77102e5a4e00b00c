"""Reads for customers: the session behind a token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from core.customers import tokens
from core.customers.model import Customer, CustomerSession
from core.customers.tables import CustomerRow, CustomerSessionRow
from core.db import table_of
from core.db.reads import ReadConnection
from core.ids import CustomerId, CustomerSessionId

_customers = table_of(CustomerRow)
_sessions = table_of(CustomerSessionRow)

_SESSION_BY_DIGEST = (
    select(
        _sessions.c.id,
        _sessions.c.token_hash,
        _sessions.c.prefix,
        _sessions.c.created_at,
        _sessions.c.expires_at,
        _sessions.c.last_used_at,
        _customers.c.id.label("customer_id"),
        _customers.c.email,
        _customers.c.name,
        _customers.c.created_at.label("customer_created_at"),
        _customers.c.updated_at.label("customer_updated_at"),
    )
    .select_from(_sessions.join(_customers, _customers.c.id == _sessions.c.customer_id))
    .where(
        _sessions.c.token_hash == bindparam("digest"),
        _sessions.c.revoked_at.is_(None),
        _sessions.c.expires_at > bindparam("now"),
    )
)


async def session_for_token(
    connection: ReadConnection, token: str, *, now: datetime
) -> CustomerSession | None:
    """The live session a token opens, or None (malformed, unknown, revoked, expired).

    One statement. The lookup is by digest, so the database compares digests, which
    reveal nothing of the secret; the digest found is checked again in constant time.
    """
    if not tokens.looks_like_token(token):
        return None
    parameters = {"digest": tokens.digest(token), "now": now}
    row = (await connection.execute(_SESSION_BY_DIGEST, parameters)).first()
    if row is None or not tokens.matches(token, row.token_hash):
        return None
    return _session(row)


def _session(row: Any) -> CustomerSession:
    return CustomerSession(
        id=CustomerSessionId(row.id),
        customer=Customer(
            id=CustomerId(row.customer_id),
            email=row.email,
            name=row.name,
            created_at=row.customer_created_at,
            updated_at=row.customer_updated_at,
        ),
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )
