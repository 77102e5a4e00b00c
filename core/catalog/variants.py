"""Variant use cases: add a variant (one SKU) to a product and change it.

Prices per channel are set in ``core.catalog.listings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.model import Variant, VariantOption
from core.catalog.priced_variants import variant_from_row
from core.catalog.product_changes import lock_product, lock_product_of_variant, product_changed
from core.catalog.references import not_found
from core.catalog.tables import VariantRow
from core.db import table_of
from core.db.uniqueness import insert_unique, is_taken, update_unique
from core.errors import DomainError, ErrorCode, Problem
from core.ids import ProductId, VariantId
from core.money import Money
from core.unset import UNSET, Unset
from core.uow import UnitOfWork
from core.validation import text_problems

_variants = table_of(VariantRow)

# Column widths in core/catalog/tables.py.
VARIANT_NAME_MAX_LENGTH = 250
SKU_MAX_LENGTH = 64
OPTION_TEXT_MAX_LENGTH = 200


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
        if await lock_product(session, product_id) is None:
            problems.append(not_found("product_id", "product"))
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
        variant_id = VariantId(
            await insert_unique(session, _variants, values, column="sku", taken=_sku_taken)
        )
        await product_changed(uow, product_id)
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
        product_id = await lock_product_of_variant(session, variant_id)
        if product_id is None:
            raise DomainError([not_found("id", "variant")])
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
            await update_unique(
                session, _variants, variant_id, values, column="sku", taken=_sku_taken
            )
            await product_changed(uow, product_id)
        variant = await read_variant(session, variant_id, None)
        await uow.commit()
    return variant


async def read_variant(
    session: AsyncSession, variant_id: VariantId, price: Money | None
) -> Variant:
    """The stored variant, carrying ``price`` as its base price."""
    row = (await session.execute(select(_variants).where(_variants.c.id == variant_id))).one()
    return variant_from_row(row, price)


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
