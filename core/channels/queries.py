"""Reads for channels and locations (SQLAlchemy Core, returning model values)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Row, Select, select

from core.channels.model import (
    Address,
    Channel,
    ChannelKind,
    ChannelLocation,
    Coordinates,
    EnabledPlugin,
    Location,
    LocationKind,
    MergePolicy,
    PaymentCapture,
    StockDisplay,
)
from core.channels.tables import ChannelLocationRow, ChannelPluginRow, ChannelRow, LocationRow
from core.db import in_bound_list, table_of
from core.db.reads import ReadConnection, fetch_named
from core.ids import ChannelId, LocationId

channels_table = _channels = table_of(ChannelRow)

_plugins = table_of(ChannelPluginRow)
_locations = table_of(LocationRow)
_links = table_of(ChannelLocationRow)


# The channel columns a Channel is made of (channel_from_row).
CHANNEL_COLUMNS = (
    "id",
    "slug",
    "name",
    "kind",
    "currency",
    "stock_display",
    "low_stock_threshold",
    "reservation_ttl_seconds",
    "cart_ttl_seconds",
    "cart_merge_policy",
    "payment_capture",
    "return_window_days",
)


def channel_statement() -> Any:
    # One statement for a channel and its enabled plugins: a LEFT JOIN, folded in Python.
    return (
        select(
            *[_channels.c[name] for name in CHANNEL_COLUMNS],
            _plugins.c.plugin,
            _plugins.c.settings,
        )
        .select_from(_channels.outerjoin(_plugins, _plugins.c.channel_id == _channels.c.id))
        .order_by(_channels.c.slug, _plugins.c.position, _plugins.c.plugin)
    )


def fold_channels(rows: Sequence[Row[Any]]) -> list[Channel]:
    folded: dict[int, tuple[Row[Any], list[EnabledPlugin]]] = {}
    for row in rows:
        entry = folded.setdefault(row.id, (row, []))
        if row.plugin is not None:
            entry[1].append(EnabledPlugin(name=row.plugin, settings=dict(row.settings or {})))
    return [channel_from_row(row, plugins) for row, plugins in folded.values()]


def channel_from_row(row: Any, plugins: Sequence[EnabledPlugin], prefix: str = "") -> Channel:
    """A channel from a row of its columns, named ``<prefix><column>``."""

    def value(name: str) -> Any:
        return getattr(row, prefix + name)

    return Channel(
        id=ChannelId(value("id")),
        slug=value("slug"),
        name=value("name"),
        kind=ChannelKind(value("kind")),
        currency=value("currency"),
        plugins=tuple(plugins),
        stock_display=StockDisplay(value("stock_display")),
        low_stock_threshold=value("low_stock_threshold"),
        reservation_ttl_seconds=value("reservation_ttl_seconds"),
        cart_ttl_seconds=value("cart_ttl_seconds"),
        cart_merge_policy=MergePolicy(value("cart_merge_policy")),
        payment_capture=PaymentCapture(value("payment_capture")),
        return_window_days=value("return_window_days"),
    )


async def channel_by_slug(connection: ReadConnection, slug: str) -> Channel | None:
    rows = (await connection.execute(channel_statement().where(_channels.c.slug == slug))).all()
    channels = fold_channels(rows)
    return channels[0] if channels else None


async def channels_by_id(
    connection: ReadConnection, ids: Sequence[int]
) -> dict[ChannelId, Channel]:
    statement = channel_statement().where(_channels.c.id.in_(ids))
    rows = (await connection.execute(statement)).all()
    return {channel.id: channel for channel in fold_channels(rows)}


async def all_channels(connection: ReadConnection) -> list[Channel]:
    return fold_channels((await connection.execute(channel_statement())).all())


def location_from_row(row: Row[Any]) -> Location:
    coordinates = (
        Coordinates(latitude=row.latitude, longitude=row.longitude)
        if row.latitude is not None and row.longitude is not None
        else None
    )
    return Location(
        id=LocationId(row.id),
        slug=row.slug,
        name=row.name,
        kind=LocationKind(row.kind),
        address=Address(
            line1=row.address_line1,
            line2=row.address_line2,
            postal_code=row.postal_code,
            city=row.city,
            country_code=row.country_code,
        ),
        coordinates=coordinates,
        pickup_enabled=row.pickup_enabled,
        ship_from_store_enabled=row.ship_from_store_enabled,
    )


async def all_locations(
    connection: ReadConnection, *, kind: LocationKind | None = None
) -> list[Location]:
    statement = select(_locations).order_by(_locations.c.name, _locations.c.id)
    if kind is not None:
        statement = statement.where(_locations.c.kind == kind.value)
    return [location_from_row(row) for row in (await connection.execute(statement)).all()]


async def locations_by_id(
    connection: ReadConnection, ids: Sequence[int]
) -> dict[LocationId, Location]:
    statement = _locations_by_id(connection.dialect.name)
    rows = await fetch_named(connection, statement, {"location_ids": sorted(set(ids))})
    return {LocationId(row.id): location_from_row(row) for row in rows}


@functools.cache
def _locations_by_id(dialect: str) -> Select[Any]:
    return select(_locations).where(
        in_bound_list(_locations.c.id, "location_ids", dialect, BigInteger())
    )


async def channel_locations_by_channel_id(
    connection: ReadConnection, channel_ids: Sequence[int]
) -> dict[ChannelId, list[ChannelLocation]]:
    statement = (
        select(_links)
        .where(_links.c.channel_id.in_(channel_ids))
        .order_by(_links.c.channel_id, _links.c.priority, _links.c.location_id)
    )
    result: dict[ChannelId, list[ChannelLocation]] = {ChannelId(i): [] for i in channel_ids}
    for row in (await connection.execute(statement)).all():
        result[ChannelId(row.channel_id)].append(
            ChannelLocation(
                channel_id=ChannelId(row.channel_id),
                location_id=LocationId(row.location_id),
                priority=row.priority,
            )
        )
    return result
