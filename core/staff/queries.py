"""Reads for staff tokens."""

from __future__ import annotations

from sqlalchemy import select

from core.db import table_of
from core.db.reads import ReadConnection
from core.ids import StaffTokenId, StaffUserId
from core.staff import tokens
from core.staff.model import Scope, StaffPrincipal, StaffToken
from core.staff.tables import StaffTokenRow, StaffUserRow

_tokens = table_of(StaffTokenRow)
_users = table_of(StaffUserRow)


async def principal_for_token(connection: ReadConnection, token: str) -> StaffPrincipal | None:
    """The staff member a token speaks for, or None if it is unknown or revoked.

    Lookup is by digest, so no secret is compared in Python and timing reveals
    nothing about stored tokens.
    """
    if not tokens.looks_like_token(token):
        return None
    statement = (
        select(_tokens.c.id, _tokens.c.scopes, _users.c.id.label("user_id"), _users.c.name)
        .select_from(_tokens.join(_users, _users.c.id == _tokens.c.staff_user_id))
        .where(_tokens.c.token_hash == tokens.digest(token), _tokens.c.revoked_at.is_(None))
    )
    row = (await connection.execute(statement)).first()
    if row is None:
        return None
    known = {scope.value for scope in Scope}
    return StaffPrincipal(
        staff_user_id=StaffUserId(row.user_id),
        staff_name=row.name,
        token_id=StaffTokenId(row.id),
        scopes=frozenset(Scope(s) for s in row.scopes if s in known),
    )


async def all_tokens(connection: ReadConnection) -> list[StaffToken]:
    statement = (
        select(_tokens, _users.c.name)
        .select_from(_tokens.join(_users, _users.c.id == _tokens.c.staff_user_id))
        .order_by(_tokens.c.created_at, _tokens.c.id)
    )
    return [
        StaffToken(
            id=StaffTokenId(row.id),
            prefix=row.prefix,
            staff_name=row.name,
            scopes=tuple(row.scopes),
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )
        for row in (await connection.execute(statement)).all()
    ]
