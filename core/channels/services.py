"""Channel and location use cases: create and update.

Update services take each changeable field as ``T | Unset`` (``core.unset``): a
field left ``UNSET`` keeps its value. Lists (a channel's plugins, its supplying
locations) are replaced as a whole when given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.tables import VariantPriceRow
from core.channels import queries
from core.channels.model import (
    DEFAULT_CART_TTL_SECONDS,
    DEFAULT_LOW_STOCK_THRESHOLD,
    DEFAULT_RESERVATION_TTL_SECONDS,
    DEFAULT_RETURN_WINDOW_DAYS,
    MAX_RETURN_WINDOW_DAYS,
    Address,
    Channel,
    ChannelKind,
    EnabledPlugin,
    Location,
    LocationKind,
    MergePolicy,
    PaymentCapture,
    StockDisplay,
)
from core.channels.tables import ChannelLocationRow, ChannelPluginRow, ChannelRow, LocationRow
from core.db import table_of
from core.db.uniqueness import insert_unique, slug_taken, unique_slug_problems, update_unique
from core.errors import DomainError, ErrorCode, Problem
from core.ids import ChannelId, LocationId
from core.money import UnknownCurrencyError, exponent_of
from core.plugin_host import PluginHost
from core.unset import UNSET, Unset
from core.uow import UnitOfWork
from core.validation import text_problems

_channels = table_of(ChannelRow)
_plugins = table_of(ChannelPluginRow)
_locations = table_of(LocationRow)
_links = table_of(ChannelLocationRow)
_prices = table_of(VariantPriceRow)

# Column widths in core/channels/tables.py.
SLUG_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
_ADDRESS_LIMITS = {"line1": 200, "line2": 200, "postal_code": 32, "city": 100}

NO_ADDRESS = Address(line1="", line2="", postal_code="", city="", country_code="")


@dataclass(frozen=True, slots=True)
class LocationSupply:
    """A location that is to supply a channel; lower priority is drawn on first."""

    location_id: LocationId
    priority: int = 0


# ---------------------------------------------------------------- channels


async def create_channel(
    uow: UnitOfWork,
    *,
    slug: str,
    name: str,
    kind: ChannelKind,
    currency: str,
    plugins: Sequence[EnabledPlugin] = (),
    locations: Sequence[LocationSupply] = (),
    stock_display: StockDisplay = StockDisplay.EXACT,
    low_stock_threshold: int = DEFAULT_LOW_STOCK_THRESHOLD,
    reservation_ttl_seconds: int = DEFAULT_RESERVATION_TTL_SECONDS,
    cart_ttl_seconds: int = DEFAULT_CART_TTL_SECONDS,
    cart_merge_policy: MergePolicy = MergePolicy.SUM,
    payment_capture: PaymentCapture = PaymentCapture.AT_FULFILMENT,
    return_window_days: int = DEFAULT_RETURN_WINDOW_DAYS,
) -> Channel:
    """Create a channel with its enabled plugins and supplying locations.

    Raises ``DomainError``: ``INVALID_SLUG``, ``DUPLICATE_SLUG``, ``REQUIRED``, ``INVALID``,
    ``INVALID_CURRENCY``, ``UNKNOWN_PLUGIN``, ``INVALID_PLUGIN_SETTINGS``, ``DUPLICATE``,
    ``NOT_FOUND`` (a location), ``INVALID_QUANTITY`` (the low-stock threshold), ``INVALID``
    (a reservation or cart lifetime out of range).
    """
    async with uow:
        session = uow.session
        problems = [
            *await unique_slug_problems(session, _channels, slug, max_length=SLUG_MAX_LENGTH),
            *text_problems(name, field="name", max_length=NAME_MAX_LENGTH),
            *_currency_problems(currency),
            *_plugin_problems(uow.plugins, plugins),
            *await _location_problems(session, locations),
            *_threshold_problems(low_stock_threshold),
            *_lifetime_problems(reservation_ttl_seconds, cart_ttl_seconds),
            *_return_window_problems(return_window_days),
        ]
        if problems:
            raise DomainError(problems)
        values = {
            "slug": slug,
            "name": name,
            "kind": kind.value,
            "currency": currency,
            "stock_display": stock_display.value,
            "low_stock_threshold": low_stock_threshold,
            "reservation_ttl_seconds": reservation_ttl_seconds,
            "cart_ttl_seconds": cart_ttl_seconds,
            "cart_merge_policy": cart_merge_policy.value,
            "payment_capture": payment_capture.value,
            "return_window_days": return_window_days,
        }
        channel_id = ChannelId(
            await insert_unique(session, _channels, values, column="slug", taken=slug_taken)
        )
        await _replace_plugins(session, channel_id, plugins)
        await _replace_locations(session, channel_id, locations)
        channel = await _read_channel(session, channel_id)
        await uow.commit()
    return channel


async def update_channel(
    uow: UnitOfWork,
    *,
    channel_id: ChannelId,
    name: str | Unset = UNSET,
    kind: ChannelKind | Unset = UNSET,
    currency: str | Unset = UNSET,
    plugins: Sequence[EnabledPlugin] | Unset = UNSET,
    locations: Sequence[LocationSupply] | Unset = UNSET,
    stock_display: StockDisplay | Unset = UNSET,
    low_stock_threshold: int | Unset = UNSET,
    reservation_ttl_seconds: int | Unset = UNSET,
    cart_ttl_seconds: int | Unset = UNSET,
    cart_merge_policy: MergePolicy | Unset = UNSET,
    payment_capture: PaymentCapture | Unset = UNSET,
    return_window_days: int | Unset = UNSET,
) -> Channel:
    """Change a channel; ``plugins`` and ``locations`` replace the current lists.

    Raises ``DomainError``: ``NOT_FOUND`` (the channel, field ``id``, or a location),
    ``REQUIRED``, ``INVALID``, ``INVALID_CURRENCY``, ``CURRENCY_IN_USE``, ``UNKNOWN_PLUGIN``,
    ``INVALID_PLUGIN_SETTINGS``, ``DUPLICATE``, ``INVALID_QUANTITY`` (the low-stock threshold).
    """
    async with uow:
        session = uow.session
        # Locked: set_variant_price reads the currency under FOR SHARE, so a new price
        # and a currency change cannot pass each other; the price check below runs after
        # the lock is held and so sees every price committed before it.
        current = (
            await session.execute(
                select(_channels.c.currency).where(_channels.c.id == channel_id).with_for_update()
            )
        ).first()
        if current is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, "There is no such channel", "id")
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        if not isinstance(name, Unset):
            problems += text_problems(name, field="name", max_length=NAME_MAX_LENGTH)
            values["name"] = name
        if not isinstance(kind, Unset):
            values["kind"] = kind.value
        if not isinstance(stock_display, Unset):
            values["stock_display"] = stock_display.value
        if not isinstance(low_stock_threshold, Unset):
            problems += _threshold_problems(low_stock_threshold)
            values["low_stock_threshold"] = low_stock_threshold
        if not isinstance(reservation_ttl_seconds, Unset):
            problems += _lifetime_problems(reservation_ttl_seconds, None)
            values["reservation_ttl_seconds"] = reservation_ttl_seconds
        if not isinstance(cart_ttl_seconds, Unset):
            problems += _lifetime_problems(None, cart_ttl_seconds)
            values["cart_ttl_seconds"] = cart_ttl_seconds
        if not isinstance(cart_merge_policy, Unset):
            values["cart_merge_policy"] = cart_merge_policy.value
        if not isinstance(payment_capture, Unset):
            values["payment_capture"] = payment_capture.value
        if not isinstance(return_window_days, Unset):
            problems += _return_window_problems(return_window_days)
            values["return_window_days"] = return_window_days
        if not isinstance(currency, Unset) and currency != current.currency:
            currency_problems = _currency_problems(currency)
            if not currency_problems and await _has_prices(session, channel_id):
                currency_problems.append(
                    Problem(
                        ErrorCode.CURRENCY_IN_USE,
                        f"The channel has prices in {current.currency}; remove them before "
                        f"changing its currency to {currency}",
                        "currency",
                    )
                )
            problems += currency_problems
            values["currency"] = currency
        if not isinstance(plugins, Unset):
            problems += _plugin_problems(uow.plugins, plugins)
        if not isinstance(locations, Unset):
            problems += await _location_problems(session, locations)
        if problems:
            raise DomainError(problems)
        if values:
            await session.execute(
                update(_channels).where(_channels.c.id == channel_id).values(**values)
            )
        if not isinstance(plugins, Unset):
            await _replace_plugins(session, channel_id, plugins)
        if not isinstance(locations, Unset):
            await _replace_locations(session, channel_id, locations)
        channel = await _read_channel(session, channel_id)
        await uow.commit()
    return channel


def _currency_problems(currency: str) -> list[Problem]:
    try:
        exponent_of(currency)
    except UnknownCurrencyError:
        return [
            Problem(
                ErrorCode.INVALID_CURRENCY,
                f"{currency!r} is not a supported ISO 4217 currency code such as 'USD'",
                "currency",
            )
        ]
    return []


# Stored in an INTEGER column; anything near it is a typo, not a policy.
MAX_LOW_STOCK_THRESHOLD = 1_000_000


def _threshold_problems(threshold: int) -> list[Problem]:
    if 0 <= threshold <= MAX_LOW_STOCK_THRESHOLD:
        return []
    return [
        Problem(
            ErrorCode.INVALID_QUANTITY,
            f"The low-stock threshold must be between 0 and {MAX_LOW_STOCK_THRESHOLD}",
            "low_stock_threshold",
        )
    ]


# A hold on stock between a minute and a day; a cart between an hour and a year.
RESERVATION_TTL_RANGE = (60, 24 * 3600)
CART_TTL_RANGE = (3600, 366 * 24 * 3600)


def _lifetime_problems(reservation_ttl: int | None, cart_ttl: int | None) -> list[Problem]:
    problems: list[Problem] = []
    for value, (low, high), field in (
        (reservation_ttl, RESERVATION_TTL_RANGE, "reservation_ttl_seconds"),
        (cart_ttl, CART_TTL_RANGE, "cart_ttl_seconds"),
    ):
        if value is not None and not low <= value <= high:
            problems.append(
                Problem(ErrorCode.INVALID, f"Must be between {low} and {high} seconds", field)
            )
    return problems


def _return_window_problems(days: int) -> list[Problem]:
    if 0 <= days <= MAX_RETURN_WINDOW_DAYS:
        return []
    return [
        Problem(
            ErrorCode.INVALID,
            f"Must be between 0 and {MAX_RETURN_WINDOW_DAYS} days",
            "return_window_days",
        )
    ]


def _plugin_problems(host: PluginHost, plugins: Sequence[EnabledPlugin]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, plugin in enumerate(plugins):
        if plugin.name in seen:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE,
                    f"The plugin {plugin.name!r} is listed twice",
                    f"plugins.{index}.name",
                )
            )
            continue
        seen.add(plugin.name)
        try:
            host.validate(plugin.name, plugin.settings)
        except DomainError as error:
            problems += [_at_plugin_index(p, plugin.name, index) for p in error.problems]
    return problems


def _at_plugin_index(problem: Problem, name: str, index: int) -> Problem:
    # The host names a plugin in its paths (plugins.<name>.settings.<key>); the
    # input is a list, so the path points at the list item instead.
    if problem.code is ErrorCode.UNKNOWN_PLUGIN:
        return replace(problem, field=f"plugins.{index}.name")
    by_name = f"plugins.{name}."
    field = problem.field or ""
    rest = field[len(by_name) :] if field.startswith(by_name) else "settings"
    return replace(problem, field=f"plugins.{index}.{rest}")


async def _location_problems(
    session: AsyncSession, locations: Sequence[LocationSupply]
) -> list[Problem]:
    ids = sorted({supply.location_id for supply in locations})
    known: set[int] = set()
    if ids:
        rows = await session.execute(select(_locations.c.id).where(_locations.c.id.in_(ids)))
        known = set(rows.scalars())
    problems: list[Problem] = []
    seen: set[int] = set()
    for index, supply in enumerate(locations):
        field = f"locations.{index}.location_id"
        if supply.location_id in seen:
            problems.append(Problem(ErrorCode.DUPLICATE, "The location is listed twice", field))
        elif supply.location_id not in known:
            problems.append(Problem(ErrorCode.NOT_FOUND, "There is no such location", field))
        seen.add(supply.location_id)
    return problems


async def _has_prices(session: AsyncSession, channel_id: ChannelId) -> bool:
    statement = select(exists().where(_prices.c.channel_id == channel_id))
    return bool((await session.execute(statement)).scalar())


async def _replace_plugins(
    session: AsyncSession, channel_id: ChannelId, plugins: Sequence[EnabledPlugin]
) -> None:
    await session.execute(delete(_plugins).where(_plugins.c.channel_id == channel_id))
    if plugins:
        await session.execute(
            insert(_plugins),
            [
                {
                    "channel_id": channel_id,
                    "plugin": plugin.name,
                    "settings": dict(plugin.settings),
                    "position": position,
                }
                for position, plugin in enumerate(plugins)
            ],
        )


async def _replace_locations(
    session: AsyncSession, channel_id: ChannelId, locations: Sequence[LocationSupply]
) -> None:
    await session.execute(delete(_links).where(_links.c.channel_id == channel_id))
    if locations:
        await session.execute(
            insert(_links),
            [
                {
                    "channel_id": channel_id,
                    "location_id": supply.location_id,
                    "priority": supply.priority,
                }
                for supply in locations
            ],
        )


async def _read_channel(session: AsyncSession, channel_id: ChannelId) -> Channel:
    channels = await queries.channels_by_id(await session.connection(), [channel_id])
    return channels[channel_id]


# ---------------------------------------------------------------- locations


async def create_location(
    uow: UnitOfWork,
    *,
    slug: str,
    name: str,
    kind: LocationKind,
    address: Address = NO_ADDRESS,
    latitude: float | None = None,
    longitude: float | None = None,
    pickup_enabled: bool = False,
    ship_from_store_enabled: bool = False,
) -> Location:
    """Create a warehouse or store; coordinates are given both or neither.

    Raises ``DomainError``: ``INVALID_SLUG``, ``DUPLICATE_SLUG``, ``REQUIRED``, ``INVALID``,
    ``INVALID_COORDINATES``.
    """
    async with uow:
        session = uow.session
        problems = [
            *await unique_slug_problems(session, _locations, slug, max_length=SLUG_MAX_LENGTH),
            *text_problems(name, field="name", max_length=NAME_MAX_LENGTH),
            *_address_problems(address),
            *_coordinate_problems(latitude, longitude),
        ]
        if problems:
            raise DomainError(problems)
        values = {
            "slug": slug,
            "name": name,
            "kind": kind.value,
            **_address_values(address),
            "latitude": latitude,
            "longitude": longitude,
            "pickup_enabled": pickup_enabled,
            "ship_from_store_enabled": ship_from_store_enabled,
        }
        location_id = LocationId(
            await insert_unique(session, _locations, values, column="slug", taken=slug_taken)
        )
        location = await _read_location(session, location_id)
        await uow.commit()
    return location


async def update_location(
    uow: UnitOfWork,
    *,
    location_id: LocationId,
    slug: str | Unset = UNSET,
    name: str | Unset = UNSET,
    kind: LocationKind | Unset = UNSET,
    address: Address | Unset = UNSET,
    latitude: float | Unset | None = UNSET,
    longitude: float | Unset | None = UNSET,
    pickup_enabled: bool | Unset = UNSET,
    ship_from_store_enabled: bool | Unset = UNSET,
) -> Location:
    """Change a location; ``None`` clears a coordinate, and the result needs both or neither.

    Raises ``DomainError``: ``NOT_FOUND`` (field ``id``), ``INVALID_SLUG``, ``DUPLICATE_SLUG``,
    ``REQUIRED``, ``INVALID``, ``INVALID_COORDINATES``.
    """
    async with uow:
        session = uow.session
        # Locked so the coordinates checked below are still the stored ones at commit.
        current = (
            await session.execute(
                select(_locations.c.latitude, _locations.c.longitude)
                .where(_locations.c.id == location_id)
                .with_for_update()
            )
        ).first()
        if current is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, "There is no such location", "id")
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        if not isinstance(slug, Unset):
            problems += await unique_slug_problems(
                session, _locations, slug, own_id=location_id, max_length=SLUG_MAX_LENGTH
            )
            values["slug"] = slug
        if not isinstance(name, Unset):
            problems += text_problems(name, field="name", max_length=NAME_MAX_LENGTH)
            values["name"] = name
        if not isinstance(kind, Unset):
            values["kind"] = kind.value
        if not isinstance(address, Unset):
            problems += _address_problems(address)
            values.update(_address_values(address))
        new_latitude = current.latitude if isinstance(latitude, Unset) else latitude
        new_longitude = current.longitude if isinstance(longitude, Unset) else longitude
        problems += _coordinate_problems(new_latitude, new_longitude)
        values.update(latitude=new_latitude, longitude=new_longitude)
        if not isinstance(pickup_enabled, Unset):
            values["pickup_enabled"] = pickup_enabled
        if not isinstance(ship_from_store_enabled, Unset):
            values["ship_from_store_enabled"] = ship_from_store_enabled
        if problems:
            raise DomainError(problems)
        await update_unique(
            session, _locations, location_id, values, column="slug", taken=slug_taken
        )
        location = await _read_location(session, location_id)
        await uow.commit()
    return location


def _address_problems(address: Address) -> list[Problem]:
    problems: list[Problem] = []
    for part, limit in _ADDRESS_LIMITS.items():
        problems += text_problems(
            getattr(address, part),
            field=f"address.{part}",
            max_length=limit,
            required=False,
            label=f"Address {part.replace('_', ' ')}",
        )
    code = address.country_code
    if code and not (len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()):
        problems.append(
            Problem(
                ErrorCode.INVALID,
                "A country code is two upper-case letters (ISO 3166-1 alpha-2), such as 'DE'",
                "address.country_code",
            )
        )
    return problems


def _address_values(address: Address) -> dict[str, str]:
    return {
        "address_line1": address.line1,
        "address_line2": address.line2,
        "postal_code": address.postal_code,
        "city": address.city,
        "country_code": address.country_code,
    }


def _coordinate_problems(latitude: float | None, longitude: float | None) -> list[Problem]:
    if latitude is None and longitude is None:
        return []
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        return [
            Problem(
                ErrorCode.INVALID_COORDINATES,
                "Give both latitude and longitude, or neither",
                missing,
            )
        ]
    problems: list[Problem] = []
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        problems.append(
            Problem(
                ErrorCode.INVALID_COORDINATES, "Latitude must be between -90 and 90", "latitude"
            )
        )
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        problems.append(
            Problem(
                ErrorCode.INVALID_COORDINATES,
                "Longitude must be between -180 and 180",
                "longitude",
            )
        )
    return problems


async def _read_location(session: AsyncSession, location_id: LocationId) -> Location:
    locations = await queries.locations_by_id(await session.connection(), [location_id])
    return locations[location_id]
