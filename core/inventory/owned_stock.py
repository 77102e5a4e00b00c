"""The statement that locks an owner's stock rows (``core.inventory.holds.lock_for_owner``).

Built once per database and form, with bind parameters (``owner_kind``, ``owner_id``,
``now``, ``channel_id`` and the bound list ``variant_ids``), so the statement driver
compiles it once. Per stock row of the variants at the channel's locations (and, with
``elsewhere``, where the owner holds stock outside them), in (variant, location)
order, locked ``FOR UPDATE`` on PostgreSQL:

- ``on_hand``, ``reserved``, and the channel's ``priority`` for the location (NULL
  outside the channel);
- ``held``: the units the owner's active reservations hold there;
- ``held_rows``: the owner's reservation rows there, lapsed ones included;
- ``lapsed``: whether any reservation there has expired unswept (an index range on
  ix_reservations_stock_expiry).
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, String, and_, bindparam, func, select

from core.channels.tables import ChannelLocationRow
from core.db import in_bound_list, table_of
from core.inventory.levels import levels_table, reservations_table

_links = table_of(ChannelLocationRow)


@functools.cache
def owned_stock(dialect: str, *, elsewhere: bool) -> Select[Any]:
    now = bindparam("now", type_=reservations_table.c.expires_at.type)
    here = and_(
        reservations_table.c.variant_id == levels_table.c.variant_id,
        reservations_table.c.location_id == levels_table.c.location_id,
    )
    mine = and_(
        reservations_table.c.owner_kind == bindparam("owner_kind", type_=String()),
        reservations_table.c.owner_id == bindparam("owner_id", type_=String()),
        here,
    )
    held = (
        select(func.coalesce(func.sum(reservations_table.c.quantity), 0))
        .where(mine, reservations_table.c.expires_at > now)
        .scalar_subquery()
    )
    held_rows = select(func.count()).where(mine).scalar_subquery()
    lapsed = select(reservations_table.c.id).where(here, reservations_table.c.expires_at <= now)
    supplied = and_(
        _links.c.channel_id == bindparam("channel_id", type_=BigInteger()),
        _links.c.location_id == levels_table.c.location_id,
    )
    located: ColumnElement[bool] = _links.c.location_id.is_not(None)
    if elsewhere:
        located = located | select(reservations_table.c.id).where(mine).exists()
    return (
        select(
            levels_table.c.variant_id,
            levels_table.c.location_id,
            levels_table.c.on_hand,
            levels_table.c.reserved,
            held.label("held"),
            held_rows.label("held_rows"),
            lapsed.exists().label("lapsed"),
            _links.c.priority,
        )
        .select_from(levels_table.outerjoin(_links, supplied))
        .where(
            in_bound_list(levels_table.c.variant_id, "variant_ids", dialect, BigInteger()), located
        )
        .order_by(levels_table.c.variant_id, levels_table.c.location_id)
        .with_for_update(of=levels_table)
    )
