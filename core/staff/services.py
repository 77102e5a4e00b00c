"""Staff token use cases: issue (optionally scoped to locations) and revoke."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update

from core.channels.tables import LocationRow
from core.db import table_of
from core.errors import DomainError, ErrorCode, Problem
from core.ids import StaffTokenId
from core.staff import tokens
from core.staff.model import IssuedToken, Scope, StaffToken
from core.staff.tables import StaffTokenLocationRow, StaffTokenRow, StaffUserRow
from core.uow import UnitOfWork

_tokens = table_of(StaffTokenRow)
_users = table_of(StaffUserRow)
_token_locations = table_of(StaffTokenLocationRow)
_locations = table_of(LocationRow)


async def create_token(
    uow: UnitOfWork, *, name: str, scopes: Sequence[str], locations: Sequence[str] = ()
) -> IssuedToken:
    """Issue a token for the staff member ``name`` (created on first use).

    ``locations``: the slugs of the only locations the token acts for (issue 14);
    empty for every location.

    Raises ``DomainError``: ``REQUIRED`` (empty name or no scope), ``INVALID_SCOPE``,
    ``UNKNOWN_LOCATION`` (nothing is created).
    """
    name = name.strip()
    problems: list[Problem] = []
    if not name:
        problems.append(Problem(ErrorCode.REQUIRED, "A token needs a name", "name"))
    known = {scope.value for scope in Scope}
    if not scopes:
        problems.append(Problem(ErrorCode.REQUIRED, "A token needs at least one scope", "scopes"))
    for index, scope in enumerate(scopes):
        if scope not in known:
            problems.append(
                Problem(
                    ErrorCode.INVALID_SCOPE,
                    f"Unknown scope {scope!r}; known: {', '.join(sorted(known))}",
                    f"scopes.{index}",
                )
            )
    if problems:
        raise DomainError(problems)
    unique_scopes = sorted(set(scopes))
    wanted_slugs = sorted({slug.strip() for slug in locations})
    async with uow:
        now = uow.clock.now()
        session = uow.session
        location_ids = await _location_ids(uow, locations)
        user_id = (
            await session.execute(select(_users.c.id).where(_users.c.name == name))
        ).scalar_one_or_none()
        if user_id is None:
            user_id = (
                await session.execute(
                    insert(_users).values(name=name, created_at=now).returning(_users.c.id)
                )
            ).scalar_one()
        token, prefix = tokens.new_token()
        token_id = (
            await session.execute(
                insert(_tokens)
                .values(
                    staff_user_id=user_id,
                    token_hash=tokens.digest(token),
                    prefix=prefix,
                    scopes=unique_scopes,
                    created_at=now,
                )
                .returning(_tokens.c.id)
            )
        ).scalar_one()
        if location_ids:
            await session.execute(
                insert(_token_locations),
                [{"token_id": token_id, "location_id": key} for key in location_ids],
            )
        await uow.commit()
    record = StaffToken(
        id=StaffTokenId(token_id),
        prefix=prefix,
        staff_name=name,
        scopes=tuple(unique_scopes),
        created_at=now,
        revoked_at=None,
        locations=tuple(wanted_slugs),
    )
    return IssuedToken(token=token, record=record)


async def _location_ids(uow: UnitOfWork, slugs: Sequence[str]) -> list[int]:
    """The ids of the locations ``slugs`` name; ``UNKNOWN_LOCATION`` for any other."""
    if not slugs:
        return []
    wanted = [slug.strip() for slug in slugs]
    rows = await uow.session.execute(
        select(_locations.c.slug, _locations.c.id).where(_locations.c.slug.in_(set(wanted)))
    )
    found = {row.slug: row.id for row in rows}
    problems = [
        Problem(ErrorCode.UNKNOWN_LOCATION, f"There is no location {slug!r}", f"locations.{index}")
        for index, slug in enumerate(wanted)
        if slug not in found
    ]
    if problems:
        raise DomainError(problems)
    return sorted({found[slug] for slug in wanted})


async def revoke_token(uow: UnitOfWork, *, prefix: str) -> None:
    """Revoke the token with this public prefix; revoking twice is harmless.

    Raises ``DomainError`` ``NOT_FOUND`` when no token has the prefix.
    """
    async with uow:
        result = await uow.session.execute(
            update(_tokens)
            .where(_tokens.c.prefix == prefix)
            .values(revoked_at=uow.clock.now())
            .returning(_tokens.c.id)
        )
        if result.first() is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, f"No token has the prefix {prefix!r}")
        await uow.commit()
