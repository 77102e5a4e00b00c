"""Selling a product in a channel: its listing there and its variants' prices there."""

from __future__ import annotations

from sqlalchemy import delete, select

from core.catalog.events import PriceChanged
from core.catalog.model import Product, Variant
from core.catalog.product_changes import (
    lock_product,
    lock_product_of_variant,
    product_changed,
    touch_product,
)
from core.catalog.products import PRODUCT_NAME_MAX_LENGTH, read_product
from core.catalog.references import exists, not_found
from core.catalog.tables import ProductListingRow, VariantPriceRow
from core.catalog.variants import read_variant
from core.channels.tables import ChannelRow
from core.db import table_of
from core.db.upsert import upsert
from core.errors import DomainError, ErrorCode, Problem
from core.ids import ChannelId, ProductId, VariantId
from core.money import Money
from core.uow import UnitOfWork
from core.validation import text_problems

_listings = table_of(ProductListingRow)
_prices = table_of(VariantPriceRow)
_channels = table_of(ChannelRow)


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
        if await lock_product(session, product_id) is None:
            problems.append(not_found("product_id", "product"))
        if not await exists(session, _channels, channel_id):
            problems.append(not_found("channel", "channel"))
        if name is not None:
            problems += text_problems(name, field="name", max_length=PRODUCT_NAME_MAX_LENGTH)
        if problems:
            raise DomainError(problems)
        await upsert(
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
        await product_changed(uow, product_id)
        product = await read_product(session, product_id)
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
        product_id = await lock_product_of_variant(session, variant_id)
        if product_id is None:
            problems.append(not_found("variant_id", "variant"))
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
            problems.append(not_found("channel", "channel"))
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
        await upsert(
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
        await touch_product(uow, product_id)
        variant = await read_variant(session, variant_id, price)
        uow.record(
            PriceChanged(variant_id=variant_id, sku=variant.sku, channel_id=channel_id, price=price)
        )
        await uow.commit()
    return variant


async def remove_variant_price(
    uow: UnitOfWork, *, variant_id: VariantId, channel_id: ChannelId
) -> Variant:
    """Stop selling a variant in a channel by removing its price there; harmless twice.

    Raises ``DomainError``: ``NOT_FOUND`` (the variant or the channel).
    """
    async with uow:
        session = uow.session
        problems: list[Problem] = []
        product_id = await lock_product_of_variant(session, variant_id)
        if product_id is None:
            problems.append(not_found("variant_id", "variant"))
        if not await exists(session, _channels, channel_id):
            problems.append(not_found("channel", "channel"))
        if problems or product_id is None:
            raise DomainError(problems)
        removed = await session.execute(
            delete(_prices)
            .where(_prices.c.variant_id == variant_id, _prices.c.channel_id == channel_id)
            .returning(_prices.c.variant_id)
        )
        variant = await read_variant(session, variant_id, None)
        if removed.first() is not None:
            await touch_product(uow, product_id)
            uow.record(
                PriceChanged(
                    variant_id=variant_id, sku=variant.sku, channel_id=channel_id, price=None
                )
            )
        await uow.commit()
    return variant
