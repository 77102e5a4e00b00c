"""The common cart add in two statements and no transaction of its own (PostgreSQL).

The locked path (``services._change``) makes a change in a transaction: it locks the
cart row, reads, writes, and takes the stock last. The stock row, which every add
of a popular variant must lock, then stays locked until our COMMIT reaches the
database: a round trip and a turn of this process's busy event loop later. Under
load, every add of that variant waits in line for those turns (measured: 10 to 14
of 17 backends waiting on that one row, and the server's CPU a quarter idle).

So the common add (one variant, whose channel has no availability plugin, to a cart
whose holds have not lapsed) is made here, by ``services._add_at_once``:

1. ``read``: the cart by its token digest, its channel and plugins, its lines with
   what the catalog says of their variants and of the added one, in one autocommit
   statement without locks. When the variant is not in the cart yet, the statement
   also draws the new line's id from its sequence, so that the pricing hook sees the
   line's real id.
2. The service checks and prices in Python, as the locked path does.
3. ``write``: one autocommit statement writes everything, each write guarded by what
   step 1 read: the cart's version (every change of a cart bumps it; the cart row is
   written first, so a second writer of the cart waits there and then finds the
   version moved), the line's quantity, the idempotency key (new), and the stock
   (the channel's first location with any of it gives it all, as
   ``holds.quick_hold_items`` takes it); the cart's other holds pushed to the new
   expiry when they are due (as the locked path's ``_touch`` does); and the outbox
   rows with their NOTIFY. It
   ends with ``omnicart_require`` (migration 0006), which raises when a guard did
   not hold: the statement then writes nothing. The locks are held while it runs
   and commits, never across a round trip to this process.

``write`` answers None when a guard did not hold (another change of the cart came
first, the key was used before, the first location ran short): the service then
takes the locked path, which waits its turn, replays a used key, plans the stock
across locations and gives the errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import BigInteger, Boolean, DateTime, String, bindparam, column, text

from core.carts.model import Cart, CartStatus, SaleInfo
from core.carts.queries import (
    CART_COLUMNS,
    LINE_INFO_COLUMNS,
    cart_from_row,
    line_info_sql,
    lines_from_rows,
)
from core.channels.model import Channel, EnabledPlugin
from core.channels.queries import CHANNEL_COLUMNS, channel_from_row
from core.events.model import PublishedEvent
from core.events.outbox import OUTBOX_BINDS, outbox_items
from core.ids import CartLineId, VariantId
from core.inventory.holds import (
    QUICK_HOLD_BINDS,
    RESERVATION_COLUMNS,
    STOCK_CHANGED_BINDS,
    STOCK_CHANGED_ROW,
    quick_hold_items,
)
from core.reads import AutocommitConnection
from core.uow import UnitOfWork

_CART_NAMES: Final = tuple(cart_column.name for cart_column in CART_COLUMNS)

_READ_COLUMNS: Final = (
    *[f"cart_{name}" for name in _CART_NAMES],
    "new_line_id",
    *[f"channel_{name}" for name in CHANNEL_COLUMNS],
    "channel_plugins",
    *LINE_INFO_COLUMNS,
)
_LINE_INFO: Final = line_info_sql(
    cart_id="c.id", channel_id="c.channel_id", variant_ids="ARRAY[CAST(:variant_id AS BIGINT)]"
)
_READ: Final = (
    text(
        f"""
WITH cart AS (
    -- Not inlined (nextval is volatile): one new id at most, drawn once.
    SELECT c.*,
           CASE WHEN NOT EXISTS (
               SELECT 1 FROM cart_lines AS l
               WHERE l.cart_id = c.id AND l.variant_id = :variant_id
           ) THEN nextval(pg_get_serial_sequence('cart_lines', 'id')) END AS new_line_id
    FROM carts AS c
    WHERE c.token_digest = :digest
)
SELECT {", ".join(f"c.{name} AS cart_{name}" for name in _CART_NAMES)}, c.new_line_id,
       {", ".join(f"ch.{name} AS channel_{name}" for name in CHANNEL_COLUMNS)},
       (SELECT json_agg(json_build_array(p.plugin, p.settings) ORDER BY p.position, p.plugin)
        FROM channel_plugins AS p WHERE p.channel_id = ch.id) AS channel_plugins,
       {", ".join(f"f.{name}" for name in LINE_INFO_COLUMNS)}
FROM cart AS c
JOIN channels AS ch ON ch.id = c.channel_id
LEFT JOIN LATERAL (
{_LINE_INFO}
) AS f ON true
"""
    )
    .bindparams(
        bindparam("digest", type_=String()),
        bindparam("variant_id", type_=BigInteger()),
    )
    .columns(*[column(name) for name in _READ_COLUMNS])
)


@dataclass(frozen=True, slots=True)
class ReadCart:
    """What ``read`` found: the cart (with its lines) as it was, and what to check it by."""

    cart: Cart
    token_digest: str
    channel: Channel
    info: dict[VariantId, SaleInfo]
    # The id for the added variant's line, when the cart has none yet.
    new_line_id: CartLineId | None


async def read(
    connection: AutocommitConnection, digest: str, variant_id: VariantId
) -> ReadCart | None:
    """The cart of a token digest, with its channel, lines and sale info (the lines'
    variants and ``variant_id``); None when there is no such cart."""
    rows = await connection.fetch(_READ, {"digest": digest, "variant_id": variant_id})
    if not rows:
        return None
    first = rows[0]
    plugins = [
        EnabledPlugin(name=name, settings=dict(settings or {}))
        for name, settings in first.channel_plugins or ()
    ]
    lines, info = lines_from_rows([row for row in rows if row.id is not None])
    return ReadCart(
        cart=cart_from_row(first, "cart_", lines),
        token_digest=first.cart_token_digest,
        channel=channel_from_row(first, plugins, "channel_"),
        info=info,
        new_line_id=None if first.new_line_id is None else CartLineId(first.new_line_id),
    )


_WRITE: Final = (
    text(
        f"""
WITH cart_row AS (
    UPDATE carts
    SET version = :version, updated_at = :now, expires_at = :cart_expires_at,
        holds_until = :holds_until
    WHERE id = :cart_id AND version = :read_version
      AND status = '{CartStatus.ACTIVE.value}' AND expires_at > :now
    RETURNING id
), claimed AS (
    INSERT INTO cart_requests
        (key_digest, cart_id, operation, fingerprint, cart_version, sealed_token, created_at)
    SELECT :key_digest, cart_row.id, :operation, :fingerprint, :version, NULL, :now
    FROM cart_row
    WHERE :key_digest IS NOT NULL
    ON CONFLICT (key_digest) DO NOTHING
    RETURNING id
), line_updated AS (
    UPDATE cart_lines AS l
    SET quantity = :line_quantity, unit_price_minor = :unit_price_minor,
        currency = :currency, updated_at = :now
    FROM cart_row
    WHERE l.id = :line_id AND l.cart_id = cart_row.id AND l.quantity = :read_quantity
    RETURNING l.id
), line_inserted AS (
    INSERT INTO cart_lines
        (id, cart_id, variant_id, quantity, unit_price_minor, currency, created_at, updated_at)
    SELECT :new_line_id, cart_row.id, :variant_id, :line_quantity, :unit_price_minor,
           :currency, :now, :now
    FROM cart_row
    WHERE :new_line_id IS NOT NULL
    RETURNING id
), {quick_hold_items(only_if="EXISTS (SELECT 1 FROM cart_row)")}, extended AS (
    -- The cart's other active holds pushed to the new expiry (services._touch), when
    -- :extend; the one ``grown`` grows is left to it (one statement may not update a
    -- row twice), and it takes the same expiry.
    UPDATE reservations AS e
    SET expires_at = :expires_at
    WHERE :extend AND EXISTS (SELECT 1 FROM cart_row)
      AND e.owner_kind = :owner_kind AND e.owner_id = :owner_id
      AND e.expires_at > :now AND e.expires_at < :expires_at
      AND e.id IS DISTINCT FROM (
          SELECT min(h.id) FROM reservations AS h, taken
          WHERE h.owner_kind = :owner_kind AND h.owner_id = :owner_id
            AND h.variant_id = :variant_id AND h.location_id = taken.location_id
            AND h.expires_at > :now
      )
    RETURNING e.id
), {outbox_items(also=STOCK_CHANGED_ROW)}
SELECT omnicart_require(
           EXISTS (SELECT 1 FROM cart_row)
           AND (:key_digest IS NULL OR EXISTS (SELECT 1 FROM claimed))
           AND EXISTS (SELECT 1 FROM line_updated UNION ALL SELECT 1 FROM line_inserted)
           AND EXISTS (SELECT 1 FROM taken),
           'the cart or its stock changed since it was read'
       ) AS done,
       r.*, (SELECT count(*) FROM notified) AS notifications
FROM (SELECT 1) AS one
LEFT JOIN (SELECT * FROM grown UNION ALL SELECT * FROM inserted) AS r ON true
"""
    )
    .bindparams(
        *QUICK_HOLD_BINDS,
        *OUTBOX_BINDS,
        *STOCK_CHANGED_BINDS,
        bindparam("cart_id", type_=BigInteger()),
        bindparam("read_version", type_=BigInteger()),
        bindparam("version", type_=BigInteger()),
        bindparam("cart_expires_at", type_=DateTime(timezone=True)),
        bindparam("holds_until", type_=DateTime(timezone=True)),
        bindparam("extend", type_=Boolean()),
        bindparam("key_digest", type_=String()),
        bindparam("operation", type_=String()),
        bindparam("fingerprint", type_=String()),
        bindparam("line_id", type_=BigInteger()),
        bindparam("read_quantity", type_=BigInteger()),
        bindparam("new_line_id", type_=BigInteger()),
        bindparam("line_quantity", type_=BigInteger()),
        bindparam("unit_price_minor", type_=BigInteger()),
        bindparam("currency", type_=String()),
    )
    .columns(column("done"), *RESERVATION_COLUMNS, column("notifications", BigInteger()))
)

# A guard did not hold (omnicart_require), the new line or key met a concurrent one,
# or two statements deadlocked: nothing was written, the locked path decides.
_LOST_RACE: Final = (
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.UniqueViolationError,
    asyncpg.exceptions.DeadlockDetectedError,
)


async def write(
    uow: UnitOfWork,
    connection: AutocommitConnection,
    parameters: dict[str, Any],
    events: Sequence[PublishedEvent],
) -> Sequence[Any] | None:
    """Write the add in one statement (committed by itself), with ``events`` in the
    outbox; its rows (the reservation held), or None when a guard did not hold and
    nothing was written.

    ``parameters``: ``QUICK_HOLD_BINDS``' (the hold) and the cart's and line's, each
    guard value as ``read`` found it (``read_version``, ``read_quantity``).
    """
    try:
        return await uow.write_at_once(connection, _WRITE, parameters, events)
    except _LOST_RACE:
        return None
