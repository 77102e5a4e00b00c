"""Catalog use cases: categories, products, variants, listings and prices.

Update services take each changeable field as ``T | Unset`` (``core.unset``); a
field left ``UNSET`` keeps its value and ``None`` clears an optional one. A
product's images are replaced as a whole when given.

Every change to a product, its variants or its listings refreshes the product's
``product_search`` row and ``updated_at`` in the same transaction. Services that
change a product lock its row first (``_lock_product``), so concurrent changes
to one product take turns and the search text is computed from committed data.

Problems name fields as the API's input does: ``channel`` for a channel id, ``id``
for the object an update service changes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, ScalarSelect, Table, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.model import Category, Product, Variant, VariantOption
from core.catalog.tables import (
    CategoryRow,
    ProductImageRow,
    ProductListingRow,
    ProductRow,
    ProductSearchRow,
    VariantPriceRow,
    VariantRow,
)
from core.channels.tables import ChannelRow
from core.db import table_of
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CategoryId, ChannelId, ProductId, VariantId
from core.money import Money
from core.uniqueness import is_taken, violates_unique
from core.unset import UNSET, Unset
from core.uow import UnitOfWork
from core.validation import slug_problems, text_problems

_categories = table_of(CategoryRow)
_products = table_of(ProductRow)
_images = table_of(ProductImageRow)
_variants = table_of(VariantRow)
_listings = table_of(ProductListingRow)
_prices = table_of(VariantPriceRow)
_search = table_of(ProductSearchRow)
_channels = table_of(ChannelRow)

# Column widths in core/catalog/tables.py.
CATEGORY_NAME_MAX_LENGTH = 200
PRODUCT_NAME_MAX_LENGTH = 250
VARIANT_NAME_MAX_LENGTH = 250
SKU_MAX_LENGTH = 64
IMAGE_URL_MAX_LENGTH = 2000
IMAGE_ALT_MAX_LENGTH = 500
OPTION_TEXT_MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class NewImage:
    """An image to show with a product, in list order."""

    url: str
    alt: str = ""


# ---------------------------------------------------------------- categories


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
            *await _slug_problems(session, _categories, slug),
            *text_problems(name, field="name", max_length=CATEGORY_NAME_MAX_LENGTH),
        ]
        if parent_id is not None and not await _exists(session, _categories, parent_id):
            problems.append(_not_found("parent_id", "category"))
        if problems:
            raise DomainError(problems)
        values = {
            "slug": slug,
            "name": name,
            "description": description,
            "parent_id": parent_id,
            "position": position,
        }
        statement = insert(_categories).values(**values).returning(_categories.c.id)
        try:
            category_id = CategoryId((await session.execute(statement)).scalar_one())
        except IntegrityError as error:
            _raise_if_taken(error, _categories, "slug", _slug_taken(slug))
            raise
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
        if not await _exists(session, _categories, category_id, lock=True):
            raise DomainError([_not_found("id", "category")])
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        if not isinstance(slug, Unset):
            problems += await _slug_problems(session, _categories, slug, own_id=category_id)
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
            try:
                await session.execute(
                    update(_categories).where(_categories.c.id == category_id).values(**values)
                )
            except IntegrityError as error:
                if not isinstance(slug, Unset):
                    _raise_if_taken(error, _categories, "slug", _slug_taken(slug))
                raise
        row = (
            await session.execute(select(_categories).where(_categories.c.id == category_id))
        ).one()
        await uow.commit()
    return Category(
        id=category_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        parent_id=CategoryId(row.parent_id) if row.parent_id is not None else None,
        position=row.position,
    )


async def _parent_problems(
    session: AsyncSession, category_id: CategoryId, parent_id: CategoryId | None
) -> list[Problem]:
    if parent_id is None:
        return []
    if parent_id == category_id:
        return [_cycle()]
    if not await _exists(session, _categories, parent_id):
        return [_not_found("parent_id", "category")]
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


# ---------------------------------------------------------------- products


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
            *await _slug_problems(session, _products, slug),
            *text_problems(name, field="name", max_length=PRODUCT_NAME_MAX_LENGTH),
            *_image_problems(images),
        ]
        if category_id is not None and not await _exists(session, _categories, category_id):
            problems.append(_not_found("category_id", "category"))
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
        statement = insert(_products).values(**values).returning(_products.c.id)
        try:
            product_id = ProductId((await session.execute(statement)).scalar_one())
        except IntegrityError as error:
            _raise_if_taken(error, _products, "slug", _slug_taken(slug))
            raise
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
        if await _lock_product(session, product_id) is None:
            raise DomainError([_not_found("id", "product")])
        problems: list[Problem] = []
        values: dict[str, Any] = {"updated_at": uow.clock.now()}
        if not isinstance(slug, Unset):
            problems += await _slug_problems(session, _products, slug, own_id=product_id)
            values["slug"] = slug
        if not isinstance(name, Unset):
            problems += text_problems(name, field="name", max_length=PRODUCT_NAME_MAX_LENGTH)
            values["name"] = name
        if not isinstance(description, Unset):
            values["description"] = description
        if not isinstance(category_id, Unset):
            if category_id is not None and not await _exists(session, _categories, category_id):
                problems.append(_not_found("category_id", "category"))
            values["category_id"] = category_id
        if not isinstance(images, Unset):
            problems += _image_problems(images)
        if problems:
            raise DomainError(problems)
        try:
            await session.execute(
                update(_products).where(_products.c.id == product_id).values(**values)
            )
        except IntegrityError as error:
            if not isinstance(slug, Unset):
                _raise_if_taken(error, _products, "slug", _slug_taken(slug))
            raise
        if not isinstance(images, Unset):
            await _replace_images(session, product_id, images)
        await refresh_product_search(uow, [product_id])
        product = await _read_product(session, product_id)
        await uow.commit()
    return product


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


async def _read_product(session: AsyncSession, product_id: ProductId) -> Product:
    row = (await session.execute(select(_products).where(_products.c.id == product_id))).one()
    return Product(
        id=product_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        category_id=CategoryId(row.category_id) if row.category_id is not None else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# ---------------------------------------------------------------- variants


async def create_variant(
    uow: UnitOfWork,
    *,
    product_id: ProductId,
    sku: str,
    name: str = "",
    options: Sequence[VariantOption] = (),
    position: int = 0,
) -> Variant:
    """Add a variant (one SKU) to a product; it has no price in any channel yet.

    Raises ``DomainError``: ``NOT_FOUND`` (the product), ``REQUIRED``, ``INVALID``,
    ``DUPLICATE_SKU``, ``DUPLICATE`` (an option name twice).
    """
    async with uow:
        session = uow.session
        problems: list[Problem] = []
        if await _lock_product(session, product_id) is None:
            problems.append(_not_found("product_id", "product"))
        problems += [
            *await _sku_problems(session, sku),
            *text_problems(name, field="name", max_length=VARIANT_NAME_MAX_LENGTH, required=False),
            *_option_problems(options),
        ]
        if problems:
            raise DomainError(problems)
        values = {
            "product_id": product_id,
            "sku": sku,
            "name": name,
            "position": position,
            "options": _options_json(options),
        }
        statement = insert(_variants).values(**values).returning(_variants.c.id)
        try:
            variant_id = VariantId((await session.execute(statement)).scalar_one())
        except IntegrityError as error:
            _raise_if_taken(error, _variants, "sku", _sku_taken(sku))
            raise
        await _product_changed(uow, product_id)
        await uow.commit()
    return Variant(variant_id, product_id, sku, name, position, tuple(options), None)


async def update_variant(
    uow: UnitOfWork,
    *,
    variant_id: VariantId,
    sku: str | Unset = UNSET,
    name: str | Unset = UNSET,
    options: Sequence[VariantOption] | Unset = UNSET,
    position: int | Unset = UNSET,
) -> Variant:
    """Change a variant; ``options`` replaces the list. The result carries no price.

    Raises ``DomainError``: ``NOT_FOUND`` (field ``id``), ``REQUIRED``, ``INVALID``,
    ``DUPLICATE_SKU``, ``DUPLICATE`` (an option name twice).
    """
    async with uow:
        session = uow.session
        product_id = await _lock_product_of_variant(session, variant_id)
        if product_id is None:
            raise DomainError([_not_found("id", "variant")])
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        if not isinstance(sku, Unset):
            problems += await _sku_problems(session, sku, own_id=variant_id)
            values["sku"] = sku
        if not isinstance(name, Unset):
            problems += text_problems(
                name, field="name", max_length=VARIANT_NAME_MAX_LENGTH, required=False
            )
            values["name"] = name
        if not isinstance(options, Unset):
            problems += _option_problems(options)
            values["options"] = _options_json(options)
        if not isinstance(position, Unset):
            values["position"] = position
        if problems:
            raise DomainError(problems)
        if values:
            try:
                await session.execute(
                    update(_variants).where(_variants.c.id == variant_id).values(**values)
                )
            except IntegrityError as error:
                if not isinstance(sku, Unset):
                    _raise_if_taken(error, _variants, "sku", _sku_taken(sku))
                raise
            await _product_changed(uow, product_id)
        row = (await session.execute(select(_variants).where(_variants.c.id == variant_id))).one()
        await uow.commit()
    return _variant(row, None)


async def _sku_problems(
    session: AsyncSession, sku: str, *, own_id: VariantId | None = None
) -> list[Problem]:
    problems = text_problems(sku, field="sku", max_length=SKU_MAX_LENGTH, label="SKU")
    if not problems and any(character.isspace() for character in sku):
        problems.append(Problem(ErrorCode.INVALID, "A SKU has no spaces", "sku"))
    if not problems and await is_taken(session, _variants, "sku", sku, except_id=own_id):
        problems.append(_sku_taken(sku))
    return problems


def _sku_taken(sku: str) -> Problem:
    return Problem(ErrorCode.DUPLICATE_SKU, f"The SKU {sku!r} is already taken", "sku")


def _option_problems(options: Sequence[VariantOption]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        field = f"options.{index}"
        problems += text_problems(
            option.name, field=f"{field}.name", max_length=OPTION_TEXT_MAX_LENGTH, label="Name"
        )
        problems += text_problems(
            option.value, field=f"{field}.value", max_length=OPTION_TEXT_MAX_LENGTH, label="Value"
        )
        key = option.name.strip().casefold()
        if key and key in seen:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE,
                    f"The option {option.name!r} is given twice",
                    f"{field}.name",
                )
            )
        seen.add(key)
    return problems


def _options_json(options: Sequence[VariantOption]) -> list[dict[str, str]]:
    return [{"name": option.name, "value": option.value} for option in options]


def _variant(row: Row[Any], price: Money | None) -> Variant:
    return Variant(
        id=VariantId(row.id),
        product_id=ProductId(row.product_id),
        sku=row.sku,
        name=row.name,
        position=row.position,
        options=tuple(VariantOption(o["name"], o["value"]) for o in row.options or ()),
        base_price=price,
    )


# ---------------------------------------------------------------- listings and prices


async def set_listing(
    uow: UnitOfWork,
    *,
    product_id: ProductId,
    channel_id: ChannelId,
    is_published: bool,
    name: str | None = None,
    description: str | None = None,
) -> Product:
    """List a product in a channel (or change its listing); ``None`` overrides nothing.

    Returns the product as that channel shows it, overrides applied, even unpublished.
    Raises ``DomainError``: ``NOT_FOUND`` (the product or the channel), ``REQUIRED``,
    ``INVALID``.
    """
    async with uow:
        session = uow.session
        problems: list[Problem] = []
        if await _lock_product(session, product_id) is None:
            problems.append(_not_found("product_id", "product"))
        if not await _exists(session, _channels, channel_id):
            problems.append(_not_found("channel", "channel"))
        if name is not None:
            problems += text_problems(name, field="name", max_length=PRODUCT_NAME_MAX_LENGTH)
        if problems:
            raise DomainError(problems)
        await _upsert(
            session,
            _listings,
            {
                "channel_id": channel_id,
                "product_id": product_id,
                "is_published": is_published,
                "name": name,
                "description": description,
            },
            keys=("channel_id", "product_id"),
        )
        await _product_changed(uow, product_id)
        product = await _read_product(session, product_id)
        await uow.commit()
    return Product(
        id=product.id,
        slug=product.slug,
        name=name if name is not None else product.name,
        description=description if description is not None else product.description,
        category_id=product.category_id,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


async def set_variant_price(
    uow: UnitOfWork, *, variant_id: VariantId, channel_id: ChannelId, price: Money
) -> Variant:
    """Set a variant's base price in a channel, in the channel's currency.

    Returns the variant priced in that channel (before plugin adjustments).
    Raises ``DomainError``: ``NOT_FOUND`` (the variant or the channel), ``NEGATIVE_PRICE``,
    ``CURRENCY_MISMATCH``.
    """
    async with uow:
        session = uow.session
        problems: list[Problem] = []
        product_id = await _lock_product_of_variant(session, variant_id)
        if product_id is None:
            problems.append(_not_found("variant_id", "variant"))
        # FOR SHARE: update_channel locks the row to change the currency, so the
        # currency checked here cannot change before this price is committed.
        currency = (
            await session.execute(
                select(_channels.c.currency)
                .where(_channels.c.id == channel_id)
                .with_for_update(read=True)
            )
        ).scalar_one_or_none()
        if currency is None:
            problems.append(_not_found("channel", "channel"))
        if price.is_negative():
            problems.append(
                Problem(ErrorCode.NEGATIVE_PRICE, "A price cannot be negative", "price.amount")
            )
        if currency is not None and price.currency != currency:
            problems.append(
                Problem(
                    ErrorCode.CURRENCY_MISMATCH,
                    f"The channel sells in {currency}, not {price.currency}",
                    "price.currency",
                )
            )
        if problems or product_id is None:
            raise DomainError(problems)
        await _upsert(
            session,
            _prices,
            {
                "channel_id": channel_id,
                "variant_id": variant_id,
                "amount_minor": price.minor_units,
                "currency": price.currency,
            },
            keys=("channel_id", "variant_id"),
        )
        await _touch(uow, product_id)
        row = (await session.execute(select(_variants).where(_variants.c.id == variant_id))).one()
        await uow.commit()
    return _variant(row, price)


async def remove_variant_price(
    uow: UnitOfWork, *, variant_id: VariantId, channel_id: ChannelId
) -> Variant:
    """Stop selling a variant in a channel by removing its price there; harmless twice.

    Raises ``DomainError``: ``NOT_FOUND`` (the variant or the channel).
    """
    async with uow:
        session = uow.session
        problems: list[Problem] = []
        product_id = await _lock_product_of_variant(session, variant_id)
        if product_id is None:
            problems.append(_not_found("variant_id", "variant"))
        if not await _exists(session, _channels, channel_id):
            problems.append(_not_found("channel", "channel"))
        if problems or product_id is None:
            raise DomainError(problems)
        removed = await session.execute(
            delete(_prices)
            .where(_prices.c.variant_id == variant_id, _prices.c.channel_id == channel_id)
            .returning(_prices.c.variant_id)
        )
        if removed.first() is not None:
            await _touch(uow, product_id)
        row = (await session.execute(select(_variants).where(_variants.c.id == variant_id))).one()
        await uow.commit()
    return _variant(row, None)


# ---------------------------------------------------------------- search and bookkeeping


async def refresh_product_search(uow: UnitOfWork, product_ids: Collection[ProductId]) -> None:
    """Rewrite the products' ``product_search`` rows from what is stored now.

    ``name`` is the product's name plus every listing's name override, ``skus``
    every variant's SKU, ``description`` the product's description. Called inside
    the transaction of each change to a product, its variants or its listings.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return
    session = uow.session
    products = (
        await session.execute(
            select(_products.c.id, _products.c.name, _products.c.description).where(
                _products.c.id.in_(ids)
            )
        )
    ).all()
    names: dict[int, list[str]] = {product.id: [product.name] for product in products}
    overrides = await session.execute(
        select(_listings.c.product_id, _listings.c.name)
        .where(_listings.c.product_id.in_(ids), _listings.c.name.is_not(None))
        .order_by(_listings.c.product_id, _listings.c.channel_id)
    )
    for product_id, name in overrides.all():
        names[product_id].append(name)
    skus: dict[int, list[str]] = {product.id: [] for product in products}
    variants = await session.execute(
        select(_variants.c.product_id, _variants.c.sku)
        .where(_variants.c.product_id.in_(ids))
        .order_by(_variants.c.product_id, _variants.c.position, _variants.c.id)
    )
    for product_id, sku in variants.all():
        skus[product_id].append(sku)
    rows = [
        {
            "product_id": product.id,
            # dict.fromkeys: an override equal to the name would only weigh it twice.
            "name": " ".join(dict.fromkeys(names[product.id])),
            "skus": " ".join(skus[product.id]),
            "description": product.description,
        }
        for product in products
    ]
    if rows:
        await _upsert(session, _search, rows, keys=("product_id",))


async def _product_changed(uow: UnitOfWork, product_id: ProductId) -> None:
    await _touch(uow, product_id)
    await refresh_product_search(uow, [product_id])


async def _touch(uow: UnitOfWork, product_id: ProductId) -> None:
    await uow.session.execute(
        update(_products).where(_products.c.id == product_id).values(updated_at=uow.clock.now())
    )


async def _lock_product(
    session: AsyncSession, product_id: int | ScalarSelect[Any]
) -> ProductId | None:
    """Lock a product's row for this transaction; its id, or None when there is none.

    PostgreSQL takes the row lock (FOR UPDATE). SQLite has no row locks: there the
    unit of work's BEGIN IMMEDIATE already holds the database write lock
    (``core.db``), so everything read after it is current.
    """
    statement = select(_products.c.id).where(_products.c.id == product_id).with_for_update()
    found = (await session.execute(statement)).scalar_one_or_none()
    return ProductId(found) if found is not None else None


async def _lock_product_of_variant(
    session: AsyncSession, variant_id: VariantId
) -> ProductId | None:
    product_id = (
        select(_variants.c.product_id).where(_variants.c.id == variant_id).scalar_subquery()
    )
    return await _lock_product(session, product_id)


async def _exists(session: AsyncSession, table: Table, row_id: int, *, lock: bool = False) -> bool:
    statement = select(table.c.id).where(table.c.id == row_id)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).first() is not None


async def _upsert(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
) -> None:
    """INSERT, or UPDATE every non-key column of the row with the same ``keys``."""
    rows = [values] if isinstance(values, Mapping) else list(values)
    columns = [name for name in rows[0] if name not in keys]
    if session.get_bind().dialect.name == "postgresql":
        pg_statement = postgresql.insert(table).values(rows)
        await session.execute(
            pg_statement.on_conflict_do_update(
                index_elements=list(keys),
                set_={name: pg_statement.excluded[name] for name in columns},
            )
        )
        return
    lite_statement = sqlite.insert(table).values(rows)
    await session.execute(
        lite_statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: lite_statement.excluded[name] for name in columns},
        )
    )


# ---------------------------------------------------------------- problems


async def _slug_problems(
    session: AsyncSession, table: Table, slug: str, *, own_id: int | None = None
) -> list[Problem]:
    problems = slug_problems(slug)
    if not problems and await is_taken(session, table, "slug", slug, except_id=own_id):
        problems.append(_slug_taken(slug))
    return problems


def _slug_taken(slug: str) -> Problem:
    return Problem(ErrorCode.DUPLICATE_SLUG, f"The slug {slug!r} is already taken", "slug")


def _raise_if_taken(error: IntegrityError, table: Table, column: str, problem: Problem) -> None:
    # A concurrent transaction took the value between our check and our write.
    if violates_unique(error, table, column):
        raise DomainError([problem]) from error


def _not_found(field: str, thing: str) -> Problem:
    return Problem(ErrorCode.NOT_FOUND, f"There is no such {thing}", field)
