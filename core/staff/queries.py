"""Reads for staff tokens."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from core.channels.tables import LocationRow
from core.db import table_of
from core.db.reads import ReadConnection
from core.ids import LocationId, StaffTokenId, StaffUserId
from core.staff import tokens
from core.staff.model import Scope, StaffPrincipal, StaffToken
from core.staff.tables import StaffTokenLocationRow, StaffTokenRow, StaffUserRow

_tokens = table_of(StaffTokenRow)
_users = table_of(StaffUserRow)
_token_locations = table_of(StaffTokenLocationRow)
_locations = table_of(LocationRow)


async def principal_for_token(connection: ReadConnection, token: str) -> StaffPrincipal | None:
    """The staff member a token speaks for, or None if it is unknown or revoked.

    Lookup is by digest, so no secret is compared in Python and timing reveals
    nothing about stored tokens. One statement: the token's locations come as one row
    each (outer join), a token with none acts for every location (``locations`` None).
    """
    if not tokens.looks_like_token(token):
        return None
    statement = (
        select(
            _tokens.c.id,
            _tokens.c.scopes,
            _users.c.id.label("user_id"),
            _users.c.name,
            _token_locations.c.location_id,
        )
        .select_from(
            _tokens.join(_users, _users.c.id == _tokens.c.staff_user_id).outerjoin(
                _token_locations, _token_locations.c.token_id == _tokens.c.id
            )
        )
        .where(_tokens.c.token_hash == tokens.digest(token), _tokens.c.revoked_at.is_(None))
    )
    rows = (await connection.execute(statement)).all()
    if not rows:
        return None
    row = rows[0]
    known = {scope.value for scope in Scope}
    location_ids = frozenset(
        LocationId(found.location_id) for found in rows if found.location_id is not None
    )
    return StaffPrincipal(
        staff_user_id=StaffUserId(row.user_id),
        staff_name=row.name,
        token_id=StaffTokenId(row.id),
        scopes=frozenset(Scope(s) for s in row.scopes if s in known),
        locations=location_ids or None,
    )


async def all_tokens(connection: ReadConnection) -> list[StaffToken]:
    """Every token, oldest first, with the slugs of the locations it is scoped to."""
    statement = (
        select(_tokens, _users.c.name)
        .select_from(_tokens.join(_users, _users.c.id == _tokens.c.staff_user_id))
        .order_by(_tokens.c.created_at, _tokens.c.id)
    )
    scoped = await connection.execute(
        select(_token_locations.c.token_id, _locations.c.slug)
        .join(_locations, _locations.c.id == _token_locations.c.location_id)
        .order_by(_locations.c.slug)
    )
    slugs: defaultdict[int, list[str]] = defaultdict(list)
    for row in scoped.all():
        slugs[row.token_id].append(row.slug)
    return [
        StaffToken(
            id=StaffTokenId(row.id),
            prefix=row.prefix,
            staff_name=row.name,
            scopes=tuple(row.scopes),
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            locations=tuple(slugs[row.id]),
        )
        for row in (await connection.execute(statement)).all()
    ]
