"""Unique values (slugs, SKUs): checked before writing, recognised after a lost race.

Services look a value up before inserting it, so the usual duplicate is reported
with every other problem of the request. A concurrent transaction can still take
the value between that check and the write; the database's unique constraint then
refuses the loser, and ``insert_unique`` and ``update_unique`` (through
``violates_unique``) let the service report the same code instead of failing the request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, ErrorCode, Problem
from core.validation import SLUG_MAX_LENGTH, slug_problems


async def is_taken(
    session: AsyncSession, table: Table, column: str, value: str, *, except_id: int | None = None
) -> bool:
    """Whether another row of ``table`` (not ``except_id``) has ``value`` in ``column``."""
    statement = select(table.c.id).where(table.c[column] == value).limit(1)
    if except_id is not None:
        statement = statement.where(table.c.id != except_id)
    return (await session.execute(statement)).first() is not None


def violates_unique(error: IntegrityError, table: Table, column: str) -> bool:
    """Whether ``error`` is the unique constraint on ``table.column``.

    PostgreSQL names the constraint (``uq_variants_sku``, from the naming convention
    in ``core.db``); SQLite names the column (``UNIQUE constraint failed: variants.sku``).
    """
    message = str(error.orig)
    return f"uq_{table.name}_{column}" in message or (
        "UNIQUE constraint failed" in message and f"{table.name}.{column}" in message
    )


async def unique_slug_problems(
    session: AsyncSession,
    table: Table,
    slug: str,
    *,
    own_id: int | None = None,
    max_length: int = SLUG_MAX_LENGTH,
) -> list[Problem]:
    """``INVALID_SLUG`` for a malformed slug, else ``DUPLICATE_SLUG`` when another row has it."""
    problems = slug_problems(slug, max_length=max_length)
    if not problems and await is_taken(session, table, "slug", slug, except_id=own_id):
        problems.append(slug_taken(slug))
    return problems


def slug_taken(slug: str) -> Problem:
    return Problem(ErrorCode.DUPLICATE_SLUG, f"The slug {slug!r} is already taken", "slug")


async def insert_unique(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    *,
    column: str,
    taken: Callable[[str], Problem],
) -> int:
    """INSERT ``values`` and return the id; a lost race for ``column`` raises ``taken(value)``."""
    statement = insert(table).values(**values).returning(table.c.id)
    try:
        row_id: int = (await session.execute(statement)).scalar_one()
    except IntegrityError as error:
        _raise_if_taken(error, table, column, taken(values[column]))
        raise
    return row_id


async def update_unique(
    session: AsyncSession,
    table: Table,
    row_id: int,
    values: Mapping[str, Any],
    *,
    column: str,
    taken: Callable[[str], Problem],
) -> None:
    """UPDATE row ``row_id``; a lost race for a new ``column`` value raises ``taken(value)``."""
    try:
        await session.execute(update(table).where(table.c.id == row_id).values(**values))
    except IntegrityError as error:
        if column in values:
            _raise_if_taken(error, table, column, taken(values[column]))
        raise


def _raise_if_taken(error: IntegrityError, table: Table, column: str, problem: Problem) -> None:
    # A concurrent transaction took the value between our check and our write.
    if violates_unique(error, table, column):
        raise DomainError([problem]) from error
