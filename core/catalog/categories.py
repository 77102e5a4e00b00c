"""Category use cases: create a category and change or move one in the tree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog import queries
from core.catalog.model import Category
from core.catalog.references import exists, not_found
from core.catalog.tables import CategoryRow
from core.db import table_of
from core.db.uniqueness import insert_unique, slug_taken, unique_slug_problems, update_unique
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CategoryId
from core.unset import UNSET, Unset
from core.uow import UnitOfWork
from core.validation import text_problems

_categories = table_of(CategoryRow)

# Column width in core/catalog/tables.py.
CATEGORY_NAME_MAX_LENGTH = 200


async def create_category(
    uow: UnitOfWork,
    *,
    slug: str,
    name: str,
    description: str = "",
    parent_id: CategoryId | None = None,
    position: int = 0,
) -> Category:
    """Create a category, at the top of the tree or under ``parent_id``.

    Raises ``DomainError``: ``INVALID_SLUG``, ``DUPLICATE_SLUG``, ``REQUIRED``, ``INVALID``,
    ``NOT_FOUND`` (the parent).
    """
    async with uow:
        session = uow.session
        problems = [
            *await unique_slug_problems(session, _categories, slug),
            *text_problems(name, field="name", max_length=CATEGORY_NAME_MAX_LENGTH),
        ]
        if parent_id is not None and not await exists(session, _categories, parent_id):
            problems.append(not_found("parent_id", "category"))
        if problems:
            raise DomainError(problems)
        values = {
            "slug": slug,
            "name": name,
            "description": description,
            "parent_id": parent_id,
            "position": position,
        }
        category_id = CategoryId(
            await insert_unique(session, _categories, values, column="slug", taken=slug_taken)
        )
        await uow.commit()
    return Category(category_id, slug, name, description, parent_id, position)


async def update_category(
    uow: UnitOfWork,
    *,
    category_id: CategoryId,
    slug: str | Unset = UNSET,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    parent_id: CategoryId | Unset | None = UNSET,
    position: int | Unset = UNSET,
) -> Category:
    """Change a category; ``parent_id=None`` moves it to the top of the tree.

    Raises ``DomainError``: ``NOT_FOUND`` (field ``id``, or the parent), ``INVALID_SLUG``,
    ``DUPLICATE_SLUG``, ``REQUIRED``, ``INVALID``, ``CATEGORY_CYCLE``.
    """
    async with uow:
        session = uow.session
        if not await exists(session, _categories, category_id, lock=True):
            raise DomainError([not_found("id", "category")])
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        if not isinstance(slug, Unset):
            problems += await unique_slug_problems(session, _categories, slug, own_id=category_id)
            values["slug"] = slug
        if not isinstance(name, Unset):
            problems += text_problems(name, field="name", max_length=CATEGORY_NAME_MAX_LENGTH)
            values["name"] = name
        if not isinstance(description, Unset):
            values["description"] = description
        if not isinstance(parent_id, Unset):
            problems += await _parent_problems(session, category_id, parent_id)
            values["parent_id"] = parent_id
        if not isinstance(position, Unset):
            values["position"] = position
        if problems:
            raise DomainError(problems)
        if values:
            await update_unique(
                session, _categories, category_id, values, column="slug", taken=slug_taken
            )
        categories = await queries.categories_by_id(await session.connection(), [category_id])
        await uow.commit()
    return categories[category_id]


async def _parent_problems(
    session: AsyncSession, category_id: CategoryId, parent_id: CategoryId | None
) -> list[Problem]:
    if parent_id is None:
        return []
    if parent_id == category_id:
        return [_cycle()]
    if not await exists(session, _categories, parent_id):
        return [not_found("parent_id", "category")]
    # Walk up from the new parent: meeting the category means the parent is its descendant.
    # UNION (not UNION ALL) so the walk ends even on a tree already broken by hand.
    ancestors = (
        select(_categories.c.id, _categories.c.parent_id)
        .where(_categories.c.id == parent_id)
        .cte("ancestors", recursive=True)
    )
    ancestors = ancestors.union(
        select(_categories.c.id, _categories.c.parent_id).where(
            _categories.c.id == ancestors.c.parent_id
        )
    )
    statement = select(ancestors.c.id).where(ancestors.c.id == category_id)
    if (await session.execute(statement)).first() is not None:
        return [_cycle()]
    return []


def _cycle() -> Problem:
    return Problem(
        ErrorCode.CATEGORY_CYCLE,
        "A category cannot be moved under itself or one of its subcategories",
        "parent_id",
    )
