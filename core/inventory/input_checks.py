"""Input checks the inventory services share: quantities, audit text, known references.

Each returns the problems it found, so a service reports every problem of a request
in one ``DomainError`` before its first write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists as sql_exists
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.tables import VariantRow
from core.channels.tables import LocationRow
from core.db import table_of
from core.errors import ErrorCode, Problem
from core.ids import LocationId, VariantId
from core.inventory.model import StockCount
from core.validation import text_problems

_variants = table_of(VariantRow)
_locations = table_of(LocationRow)

# Column widths in core/inventory/tables.py.
REASON_MAX_LENGTH = 500
ACTOR_MAX_LENGTH = 200
OWNER_ID_MAX_LENGTH = 64
# A BIGINT holds more, but no shelf does; a larger number is a typo.
MAX_QUANTITY = 1_000_000_000
# Counts per stock count: each is a few bind parameters of the count's statements, so
# this keeps them far below the limits of SQLite (32766) and asyncpg (32767).
MAX_COUNTS = 1_000


def quantity_problems(quantity: int, *, field: str, allow_zero: bool = False) -> list[Problem]:
    low = 0 if allow_zero else 1
    if low <= quantity <= MAX_QUANTITY:
        return []
    return [
        Problem(
            ErrorCode.INVALID_QUANTITY,
            f"The quantity must be a whole number from {low} to {MAX_QUANTITY}",
            field,
        )
    ]


def delta_problems(delta: int) -> list[Problem]:
    if delta != 0 and -MAX_QUANTITY <= delta <= MAX_QUANTITY:
        return []
    return [
        Problem(
            ErrorCode.INVALID_QUANTITY,
            f"The change must not be zero and at most {MAX_QUANTITY} either way",
            "delta",
        )
    ]


def audit_problems(reason: str, actor: str) -> list[Problem]:
    return [
        *text_problems(reason, field="reason", max_length=REASON_MAX_LENGTH),
        *text_problems(actor, field="actor", max_length=ACTOR_MAX_LENGTH),
    ]


def count_problems(counts: Sequence[StockCount]) -> list[Problem]:
    """Problems of a stock count's list: its size, each quantity, no variant twice."""
    if not counts:
        return [Problem(ErrorCode.REQUIRED, "Count at least one variant", "counts")]
    if len(counts) > MAX_COUNTS:
        return [
            Problem(
                ErrorCode.INVALID, f"At most {MAX_COUNTS} variants are counted at once", "counts"
            )
        ]
    problems: list[Problem] = []
    seen: set[VariantId] = set()
    for index, count in enumerate(counts):
        problems += quantity_problems(
            count.quantity, field=f"counts.{index}.quantity", allow_zero=True
        )
        if count.variant_id in seen:
            problems.append(
                Problem(
                    ErrorCode.INVALID,
                    "A variant is counted once in a stock count",
                    f"counts.{index}.variant_id",
                )
            )
        seen.add(count.variant_id)
    return problems


async def reference_problems(
    session: AsyncSession, variant_id: VariantId, locations: Sequence[tuple[str, LocationId]]
) -> list[Problem]:
    problems: list[Problem] = []
    if not await exists(session, _variants.c.id == variant_id):
        problems.append(
            Problem(ErrorCode.UNKNOWN_VARIANT, "There is no such variant", "variant_id")
        )
    return problems + await location_problems(session, locations)


async def variant_problems(
    session: AsyncSession, variants: Sequence[tuple[str, VariantId]]
) -> list[Problem]:
    """``UNKNOWN_VARIANT`` for each (field, id) that names no variant, in one statement."""
    return await _unknown(
        session, _variants.c.id, variants, ErrorCode.UNKNOWN_VARIANT, "There is no such variant"
    )


async def location_problems(
    session: AsyncSession, locations: Sequence[tuple[str, LocationId]]
) -> list[Problem]:
    """``UNKNOWN_LOCATION`` for each (field, id) that names no location, in one statement."""
    return await _unknown(
        session,
        _locations.c.id,
        locations,
        ErrorCode.UNKNOWN_LOCATION,
        "There is no such location",
    )


async def _unknown(
    session: AsyncSession,
    id_column: Any,
    references: Sequence[tuple[str, int]],
    code: ErrorCode,
    message: str,
) -> list[Problem]:
    """A ``code`` problem for each (field, id) of ``references`` that ``id_column`` lacks."""
    ids = {reference for _, reference in references}
    known: set[int] = set()
    if ids:
        rows = await session.execute(select(id_column).where(id_column.in_(ids)))
        known = set(rows.scalars())
    return [
        Problem(code, message, field) for field, reference in references if reference not in known
    ]


async def exists(session: AsyncSession, condition: Any) -> bool:
    return bool((await session.execute(select(sql_exists().where(condition)))).scalar())
