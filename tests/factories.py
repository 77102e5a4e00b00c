"""Test data built through the real services, with explicit arguments and plain defaults.

Each factory opens its own unit of work on the runtime, so what it returns is
committed and visible to the app under test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from core import tables  # noqa: F401  (every table on the metadata, for row_counts)
from core.catalog import services as catalog
from core.catalog.model import Category, Product, Variant, VariantOption
from core.channels import services as channels
from core.channels.model import (
    Address,
    Channel,
    ChannelKind,
    EnabledPlugin,
    Location,
    LocationKind,
)
from core.customers import services as customers
from core.customers.model import Customer, IssuedSession
from core.db import metadata
from core.money import Money
from core.runtime import Runtime
from core.staff.model import Scope
from core.staff.services import create_token


async def make_channel(
    runtime: Runtime,
    *,
    slug: str = "web",
    name: str | None = None,
    kind: ChannelKind = ChannelKind.WEB,
    currency: str = "USD",
    plugins: Sequence[EnabledPlugin] = (),
    locations: Sequence[Location] = (),
) -> Channel:
    """A channel; ``locations`` supply it in the order given (priority 0, 1, ...)."""
    return await channels.create_channel(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        kind=kind,
        currency=currency,
        plugins=plugins,
        locations=[
            channels.LocationSupply(location.id, priority)
            for priority, location in enumerate(locations)
        ],
    )


async def make_location(
    runtime: Runtime,
    *,
    slug: str = "central-warehouse",
    name: str | None = None,
    kind: LocationKind = LocationKind.WAREHOUSE,
    address: Address = channels.NO_ADDRESS,
    latitude: float | None = None,
    longitude: float | None = None,
    pickup_enabled: bool = False,
    ship_from_store_enabled: bool = False,
) -> Location:
    return await channels.create_location(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        kind=kind,
        address=address,
        latitude=latitude,
        longitude=longitude,
        pickup_enabled=pickup_enabled,
        ship_from_store_enabled=ship_from_store_enabled,
    )


async def make_category(
    runtime: Runtime,
    *,
    slug: str = "clothing",
    name: str | None = None,
    parent: Category | None = None,
    position: int = 0,
) -> Category:
    return await catalog.create_category(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        parent_id=parent.id if parent else None,
        position=position,
    )


@dataclass(frozen=True, slots=True)
class MadeProduct:
    """A product as stored (its own name), its variants priced in the channel, in order."""

    product: Product
    variants: tuple[Variant, ...]


async def make_product(
    runtime: Runtime,
    *,
    channel: Channel,
    slug: str = "basic-tee",
    name: str | None = None,
    description: str = "",
    category: Category | None = None,
    variants: Sequence[str] = (),
    options: Sequence[VariantOption] = (),
    price: str | None = "10.00",
    is_published: bool = True,
    listing_name: str | None = None,
    listing_description: str | None = None,
    images: Sequence[catalog.NewImage] = (),
) -> MadeProduct:
    """A product with variants (SKUs; one ``<SLUG>-1`` by default), listed and priced.

    ``price`` is a decimal string in the channel's currency, given to every variant;
    ``None`` leaves them unpriced. ``options`` go on every variant.
    """
    product = await catalog.create_product(
        runtime.uow(),
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        description=description,
        category_id=category.id if category else None,
        images=images,
    )
    made: list[Variant] = []
    for position, sku in enumerate(variants or [f"{slug.upper()}-1"]):
        variant = await catalog.create_variant(
            runtime.uow(), product_id=product.id, sku=sku, options=options, position=position
        )
        if price is not None:
            variant = await catalog.set_variant_price(
                runtime.uow(),
                variant_id=variant.id,
                channel_id=channel.id,
                price=Money.parse(price, channel.currency),
            )
        made.append(variant)
    await catalog.set_listing(
        runtime.uow(),
        product_id=product.id,
        channel_id=channel.id,
        is_published=is_published,
        name=listing_name,
        description=listing_description,
    )
    return MadeProduct(product=product, variants=tuple(made))


async def staff_token(runtime: Runtime, *scopes: Scope, name: str = "test-staff") -> str:
    """A staff token with ``scopes`` (every scope when none are given)."""
    issued = await create_token(
        runtime.uow(), name=name, scopes=[scope.value for scope in scopes or tuple(Scope)]
    )
    return issued.token


async def make_customer(
    runtime: Runtime,
    *,
    email: str = "ann@example.com",
    password: str = "correct horse battery",
    name: str = "Ann Lee",
) -> Customer:
    return await customers.register(runtime.uow(), email=email, password=password, name=name)


async def log_in_customer(
    runtime: Runtime,
    *,
    email: str = "ann@example.com",
    password: str = "correct horse battery",
    lifetime: timedelta = timedelta(days=30),
) -> IssuedSession:
    """A session for an account made by ``make_customer`` (a device that logged in)."""
    return await customers.log_in(runtime.uow(), email=email, password=password, lifetime=lifetime)


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for a staff or customer token."""
    return {"Authorization": f"Bearer {token}"}


async def row_counts(runtime: Runtime) -> dict[str, int]:
    """Rows in every table, to show that a refused request wrote nothing.

    Leaves out ``instance_keys``: the instance key is generated once per database, by
    whichever request first needs it (core.keys), whether that request succeeds or not.
    """
    async with runtime.engine.connect() as connection:
        return {
            table.name: (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in metadata.sorted_tables
            if table.name != "instance_keys"
        }
