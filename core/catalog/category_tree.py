"""Reads of the category tree: by id, by parent, by slug, all of it, and a subtree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Row, Select, bindparam, select

from core.catalog.model import Category
from core.catalog.tables import CategoryRow
from core.db import table_of
from core.db.reads import ReadConnection
from core.ids import CategoryId

_categories = table_of(CategoryRow)


def category_subtree() -> Select[Any]:
    """The ids of the category bound as ``category_id`` and of all its descendants."""
    tree = (
        select(_categories.c.id)
        .where(_categories.c.id == bindparam("category_id", type_=BigInteger))
        .cte("category_tree", recursive=True)
    )
    tree = tree.union_all(select(_categories.c.id).where(_categories.c.parent_id == tree.c.id))
    return select(tree.c.id)


def _category_from_row(row: Row[Any]) -> Category:
    return Category(
        id=CategoryId(row.id),
        slug=row.slug,
        name=row.name,
        description=row.description,
        parent_id=CategoryId(row.parent_id) if row.parent_id is not None else None,
        position=row.position,
    )


async def categories_by_id(
    connection: ReadConnection, category_ids: Sequence[int]
) -> dict[CategoryId, Category]:
    statement = select(_categories).where(_categories.c.id.in_(category_ids))
    rows = (await connection.execute(statement)).all()
    return {CategoryId(row.id): _category_from_row(row) for row in rows}


async def all_categories(connection: ReadConnection) -> list[Category]:
    """Every category, parents before children's siblings, in display order."""
    statement = select(_categories).order_by(
        _categories.c.position, _categories.c.name, _categories.c.id
    )
    return [_category_from_row(row) for row in (await connection.execute(statement)).all()]


async def categories_by_parent_id(
    connection: ReadConnection, parent_ids: Sequence[int]
) -> dict[CategoryId, list[Category]]:
    statement = (
        select(_categories)
        .where(_categories.c.parent_id.in_(parent_ids))
        .order_by(_categories.c.position, _categories.c.name, _categories.c.id)
    )
    grouped: dict[CategoryId, list[Category]] = {}
    for row in (await connection.execute(statement)).all():
        category = _category_from_row(row)
        if category.parent_id is not None:
            grouped.setdefault(category.parent_id, []).append(category)
    return grouped


async def category_by_slug(connection: ReadConnection, slug: str) -> Category | None:
    row = (await connection.execute(select(_categories).where(_categories.c.slug == slug))).first()
    return _category_from_row(row) if row is not None else None
