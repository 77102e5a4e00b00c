"""Product use cases: create and change a product and its images.

A product's images are replaced as a whole when given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog import queries
from core.catalog.model import Product
from core.catalog.product_changes import changed_values, lock_product
from core.catalog.references import exists, not_found
from core.catalog.search_index import refresh_product_search
from core.catalog.tables import CategoryRow, ProductImageRow, ProductRow
from core.db import table_of
from core.db.uniqueness import insert_unique, slug_taken, unique_slug_problems, update_unique
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CategoryId, ProductId
from core.unset import UNSET, Unset
from core.uow import UnitOfWork
from core.validation import text_problems

_categories = table_of(CategoryRow)
_products = table_of(ProductRow)
_images = table_of(ProductImageRow)

# Column widths in core/catalog/tables.py.
PRODUCT_NAME_MAX_LENGTH = 250
IMAGE_URL_MAX_LENGTH = 2000
IMAGE_ALT_MAX_LENGTH = 500


@dataclass(frozen=True, slots=True)
class NewImage:
    """An image to show with a product, in list order."""

    url: str
    alt: str = ""


async def create_product(
    uow: UnitOfWork,
    *,
    slug: str,
    name: str,
    description: str = "",
    category_id: CategoryId | None = None,
    images: Sequence[NewImage] = (),
) -> Product:
    """Create a product (not listed in any channel yet) with its images.

    Raises ``DomainError``: ``INVALID_SLUG``, ``DUPLICATE_SLUG``, ``REQUIRED``, ``INVALID``,
    ``NOT_FOUND`` (the category).
    """
    async with uow:
        session = uow.session
        problems = [
            *await unique_slug_problems(session, _products, slug),
            *text_problems(name, field="name", max_length=PRODUCT_NAME_MAX_LENGTH),
            *_image_problems(images),
        ]
        if category_id is not None and not await exists(session, _categories, category_id):
            problems.append(not_found("category_id", "category"))
        if problems:
            raise DomainError(problems)
        now = uow.clock.now()
        values = {
            "slug": slug,
            "name": name,
            "description": description,
            "category_id": category_id,
            "created_at": now,
            "updated_at": now,
        }
        product_id = ProductId(
            await insert_unique(session, _products, values, column="slug", taken=slug_taken)
        )
        await _replace_images(session, product_id, images)
        await refresh_product_search(uow, [product_id])
        await uow.commit()
    return Product(product_id, slug, name, description, category_id, now, now)


async def update_product(
    uow: UnitOfWork,
    *,
    product_id: ProductId,
    slug: str | Unset = UNSET,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    category_id: CategoryId | Unset | None = UNSET,
    images: Sequence[NewImage] | Unset = UNSET,
) -> Product:
    """Change a product; ``images`` replaces the list, ``category_id=None`` uncategorises it.

    Raises ``DomainError``: ``NOT_FOUND`` (field ``id``, or the category), ``INVALID_SLUG``,
    ``DUPLICATE_SLUG``, ``REQUIRED``, ``INVALID``.
    """
    async with uow:
        session = uow.session
        if await lock_product(session, product_id) is None:
            raise DomainError([not_found("id", "product")])
        problems: list[Problem] = []
        values: dict[str, Any] = changed_values(uow)
        if not isinstance(slug, Unset):
            problems += await unique_slug_problems(session, _products, slug, own_id=product_id)
            values["slug"] = slug
        if not isinstance(name, Unset):
            problems += text_problems(name, field="name", max_length=PRODUCT_NAME_MAX_LENGTH)
            values["name"] = name
        if not isinstance(description, Unset):
            values["description"] = description
        if not isinstance(category_id, Unset):
            if category_id is not None and not await exists(session, _categories, category_id):
                problems.append(not_found("category_id", "category"))
            values["category_id"] = category_id
        if not isinstance(images, Unset):
            problems += _image_problems(images)
        if problems:
            raise DomainError(problems)
        await update_unique(session, _products, product_id, values, column="slug", taken=slug_taken)
        if not isinstance(images, Unset):
            await _replace_images(session, product_id, images)
        await refresh_product_search(uow, [product_id])
        product = await read_product(session, product_id)
        await uow.commit()
    return product


async def read_product(session: AsyncSession, product_id: ProductId) -> Product:
    """The stored product, with its base name and description (no channel's overrides)."""
    products = await queries.products_by_id(await session.connection(), [product_id])
    return products[product_id]


def _image_problems(images: Sequence[NewImage]) -> list[Problem]:
    problems: list[Problem] = []
    for index, image in enumerate(images):
        url_problems = text_problems(
            image.url, field=f"images.{index}.url", max_length=IMAGE_URL_MAX_LENGTH, label="URL"
        )
        is_web_url = image.url.startswith(("https://", "http://")) and not any(
            character.isspace() for character in image.url
        )
        if not url_problems and not is_web_url:
            url_problems.append(
                Problem(
                    ErrorCode.INVALID,
                    "An image URL is an absolute http:// or https:// URL without spaces",
                    f"images.{index}.url",
                )
            )
        problems += url_problems
        problems += text_problems(
            image.alt,
            field=f"images.{index}.alt",
            max_length=IMAGE_ALT_MAX_LENGTH,
            required=False,
            label="Alt text",
        )
    return problems


async def _replace_images(
    session: AsyncSession, product_id: ProductId, images: Sequence[NewImage]
) -> None:
    await session.execute(delete(_images).where(_images.c.product_id == product_id))
    if images:
        await session.execute(
            insert(_images),
            [
                {"product_id": product_id, "position": position, "url": i.url, "alt": i.alt}
                for position, i in enumerate(images)
            ],
        )
