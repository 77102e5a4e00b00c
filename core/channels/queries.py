"""Reads for channels and locations (SQLAlchemy Core, returning model values)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select

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
    StockDisplay,
)
from core.channels.tables import ChannelLocationRow, ChannelPluginRow, ChannelRow, LocationRow
from core.db import table_of
from core.ids import ChannelId, LocationId
from core.reads import ReadConnection

channels_table = _channels = table_of(ChannelRow)

_plugins = table_of(ChannelPluginRow)
_locations = table_of(LocationRow)
_links = table_of(ChannelLocationRow)


def channel_statement() -> Any:
    # One statement for a channel and its enabled plugins: a LEFT JOIN, folded in Python.
    return (
        select(
            _channels.c.id,
            _channels.c.slug,
            _channels.c.name,
            _channels.c.kind,
            _channels.c.currency,
            _channels.c.stock_display,
            _channels.c.low_stock_threshold,
            _channels.c.reservation_ttl_seconds,
            _channels.c.cart_ttl_seconds,
            _channels.c.cart_merge_policy,
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
    return [
        Channel(
            id=ChannelId(row.id),
            slug=row.slug,
            name=row.name,
            kind=ChannelKind(row.kind),
            currency=row.currency,
            plugins=tuple(plugins),
            stock_display=StockDisplay(row.stock_display),
            low_stock_threshold=row.low_stock_threshold,
            reservation_ttl_seconds=row.reservation_ttl_seconds,
            cart_ttl_seconds=row.cart_ttl_seconds,
            cart_merge_policy=MergePolicy(row.cart_merge_policy),
        )
        for row, plugins in folded.values()
    ]


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
    statement = select(_locations).where(_locations.c.id.in_(ids))
    rows = (await connection.execute(statement)).all()
    return {LocationId(row.id): location_from_row(row) for row in rows}


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
