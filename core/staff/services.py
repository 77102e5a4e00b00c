"""Staff token use cases: issue and revoke."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update

from core.db import table_of
from core.errors import DomainError, ErrorCode, Problem
from core.ids import StaffTokenId
from core.staff import tokens
from core.staff.model import IssuedToken, Scope, StaffToken
from core.staff.tables import StaffTokenRow, StaffUserRow
from core.uow import UnitOfWork

_tokens = table_of(StaffTokenRow)
_users = table_of(StaffUserRow)


async def create_token(uow: UnitOfWork, *, name: str, scopes: Sequence[str]) -> IssuedToken:
    """Issue a token for the staff member ``name`` (created on first use).

    Raises ``DomainError``: ``REQUIRED`` (empty name or no scope), ``INVALID_SCOPE``.
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
    async with uow:
        now = uow.clock.now()
        session = uow.session
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
        await uow.commit()
    record = StaffToken(
        id=StaffTokenId(token_id),
        prefix=prefix,
        staff_name=name,
        scopes=tuple(unique_scopes),
        created_at=now,
        revoked_at=None,
    )
    return IssuedToken(token=token, record=record)


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
