"""The common cart add, read without locks and written in one guarded commit.

The locked change (``core.carts.change``) locks the cart row, reads, writes, and
takes the stock last; the stock row, which every add of a popular variant must lock,
then stays locked until our COMMIT reaches the database, a round trip and a turn of
this process's busy event loop later (measured: 10 to 14 of 17 backends waiting on
that one row). So the common add (one variant, whose channel has no availability
plugin, to a cart whose holds have not lapsed) is made here, on PostgreSQL:

1. ``read``: the cart by its token digest, its channel and plugins, its lines with
   what the catalog says of their variants and of the added one, and the channel's
   first location (by priority) with any of the variant, in one autocommit statement
   without locks. When the variant is not in the cart yet, the statement also draws
   the new line's id from its sequence, so that the pricing hook sees the real id.
2. The checks and the pricing, in Python, as the locked path makes them.
3. The write: the same write steps the locked path uses (``core.carts.steps``,
   ``core.inventory.steps``), each guarded by what step 1 read (the cart's version,
   the line's quantity, a new idempotency key, the stock at that location), given to
   ``UnitOfWork.commit``, which runs them with the outbox rows as one statement that
   commits by itself. When a guard did not hold it writes nothing (``GuardFailed``).

Then the add takes the locked path, which waits its turn, replays a used key, plans
the stock across locations and gives the errors. Every add on SQLite takes the locked
path (its writers are serialised by the database lock anyway).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Final, cast

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import BigInteger, String, bindparam, column, text

from core.carts import tokens
from core.carts.change import holds_due
from core.carts.events import CartChanged
from core.carts.idempotency import Operation, key_digest
from core.carts.inputs import (
    Caller,
    CartLimits,
    CartResult,
    Guard,
    LineInput,
    guard_problems,
    line_problems,
    may_use,
    ordered,
    token_problems,
)
from core.carts.model import Cart, CartLine, CartStatus, SaleInfo
from core.carts.pricing import price_cart
from core.carts.queries import (
    CART_COLUMNS,
    LINE_INFO_COLUMNS,
    cart_from_row,
    line_info_sql,
    lines_from_rows,
)
from core.carts.steps import (
    claim_key,
    claim_values,
    insert_line,
    line_values,
    touch_cart,
    touch_values,
    update_line,
)
from core.channels.model import Channel, EnabledPlugin
from core.channels.queries import CHANNEL_COLUMNS, channel_from_row
from core.db.chain import Chain, GuardFailed
from core.db.driver import Fetches
from core.ids import CartLineId, LocationId, VariantId
from core.inventory.events import StockChangeCause, StockChanged, StockReserved
from core.inventory.model import OwnerKind
from core.inventory.queries import reservation_from_row
from core.inventory.steps import PREFIX, extend_holds, hold_steps, take_stock
from core.money import Money
from core.uow import UnitOfWork

_CART_NAMES: Final = tuple(cart_column.name for cart_column in CART_COLUMNS)

_READ_COLUMNS: Final = (
    *[f"cart_{name}" for name in _CART_NAMES],
    "new_line_id",
    "first_location_id",
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
           ) THEN nextval(pg_get_serial_sequence('cart_lines', 'id')) END AS new_line_id,
           (SELECT cl.location_id
            FROM channel_locations AS cl
            JOIN stock_levels AS s
              ON s.location_id = cl.location_id AND s.variant_id = :variant_id
            WHERE cl.channel_id = c.channel_id AND s.on_hand > s.reserved
            ORDER BY cl.priority, cl.location_id
            LIMIT 1) AS first_location_id
    FROM carts AS c
    WHERE c.token_digest = :digest
)
SELECT {", ".join(f"c.{name} AS cart_{name}" for name in _CART_NAMES)}, c.new_line_id,
       c.first_location_id,
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
    # The channel's first location (by priority) with any of the added variant.
    first_location_id: LocationId | None


async def read(connection: Fetches, digest: str, variant_id: VariantId) -> ReadCart | None:
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
        first_location_id=(
            None if first.first_location_id is None else LocationId(first.first_location_id)
        ),
    )


def applies(uow: UnitOfWork) -> bool:
    """Whether adds may be tried this way (PostgreSQL, with autocommit connections)."""
    return uow.dialect == "postgresql" and uow.reads_outside


# A lost race: a guard did not hold (GuardFailed), the new line or key met a
# concurrent one, or two statements deadlocked. Nothing was written.
_LOST_RACE: Final = (
    GuardFailed,
    asyncpg.exceptions.UniqueViolationError,
    asyncpg.exceptions.DeadlockDetectedError,
)


async def add(
    uow: UnitOfWork,
    *,
    token: str,
    caller: Caller,
    guard: Guard,
    lines: Sequence[LineInput],
    variant_id: VariantId,
    quantity: int,
    limits: CartLimits,
    fingerprint: str,
) -> CartResult | None:
    """The add made the fast way; None when the locked path must make it (or refuse it
    with the right error).

    It takes the adds the locked path would make the same way: one variant, no
    availability plugin in the channel, the line's hold not lapsed, a location that
    can give the whole quantity, and every check passing. The result is the same:
    same rows, same events, same answer; only the locks are held for less time.
    """
    if token_problems(token) or guard_problems(guard):
        return None
    # One connection for the read and the write (UnitOfWork.read_outside).
    async with uow.read_outside() as connection:
        made = await _read_and_write(
            uow,
            connection,
            token=token,
            caller=caller,
            guard=guard,
            lines=lines,
            variant_id=variant_id,
            quantity=quantity,
            limits=limits,
            fingerprint=fingerprint,
        )
    if made is None:
        return None
    result, reserved = made
    await uow.publish_committed([reserved])
    return result


async def _read_and_write(
    uow: UnitOfWork,
    connection: Fetches,
    *,
    token: str,
    caller: Caller,
    guard: Guard,
    lines: Sequence[LineInput],
    variant_id: VariantId,
    quantity: int,
    limits: CartLimits,
    fingerprint: str,
) -> tuple[CartResult, StockReserved] | None:
    found = await read(connection, tokens.digest(token), variant_id)
    if found is None or not tokens.same_digest(found.token_digest, token):
        return None
    cart, channel = found.cart, found.channel
    now = uow.clock.now()
    hold_until = now + timedelta(seconds=channel.reservation_ttl_seconds)
    line = cart.line_for(variant_id)
    total = quantity + (line.quantity if line else 0)
    if (
        not may_use(cart, caller)
        or cart.status is not CartStatus.ACTIVE
        or cart.expires_at <= now
        or guard.expected_version not in (None, cart.version)
        # The line's hold lapsed: the locked path holds its whole quantity again.
        or (line is not None and (cart.holds_until or now) <= now)
        or uow.plugins.limits_availability(channel)
        # Its delivery amount needs the delivery options (stock, plugins): locked path.
        or cart.delivery_selection
        or line_problems(lines, found.info)
        or total > limits.max_line_quantity
        or found.first_location_id is None
        or (line is None and (found.new_line_id is None or len(cart.lines) >= limits.max_lines))
    ):
        return None
    price = found.info[variant_id].base_price
    assert price is not None  # line_problems: sold in the channel
    location_id = found.first_location_id
    added = CartLine(
        id=line.id if line else cast(CartLineId, found.new_line_id),
        variant_id=variant_id,
        quantity=total,
        unit_price_when_added=Money(price.minor_units, channel.currency),
        created_at=line.created_at if line else now,
        updated_at=now,
    )
    extend = holds_due(cart.holds_until, hold_until)
    read_version = cart.version
    cart = replace(
        cart,
        lines=ordered([*(other for other in cart.lines if other is not line), added]),
        version=cart.version + 1,
        updated_at=now,
        expires_at=now + timedelta(seconds=channel.cart_ttl_seconds),
        holds_until=hold_until if extend else cart.holds_until,
    )
    # Priced before anything is written: a failing plugin leaves the cart as it was.
    result = await price_cart(uow.plugins, channel, cart, found.info)
    values: dict[str, Any] = {}
    chain = _steps(
        uow.dialect,
        key=guard.idempotency_key is not None,
        new_line=line is None,
        extend=extend,
    )
    values.update(
        touch_values(
            cart_id=cart.id,
            read_version=read_version,
            now=now,
            expires_at=cart.expires_at,
            holds_until=cart.holds_until,
            channel_id=cart.channel_id,
            email=cart.email,
        )
    )
    written = {
        "quantity": total,
        "unit_price_minor": price.minor_units,
        "currency": channel.currency,
        "updated_at": now,
    }
    if line is None:
        values.update(
            line_values(
                "line",
                {
                    **written,
                    "id": added.id,
                    "cart_id": cart.id,
                    "variant_id": variant_id,
                    "created_at": now,
                },
            )
        )
    else:
        values.update(
            line_values("line", {**written, "line_id": line.id, "read_quantity": line.quantity})
        )
    if guard.idempotency_key is not None:
        values.update(
            claim_values(
                key_digest=key_digest(f"cart:{cart.id}", guard.idempotency_key),
                cart_id=cart.id,
                operation=Operation.ADD_LINES.value,
                fingerprint=fingerprint,
                cart_version=cart.version,
                now=now,
            )
        )
    values.update(
        {
            "stock_variant_id": variant_id,
            "stock_location_id": location_id,
            "stock_quantity": quantity,
            "stock_owner_kind": OwnerKind.CART.value,
            "stock_owner_id": str(cart.id),
            "stock_expires_at": hold_until,
            "hold_until": hold_until,
        }
    )
    async with uow:
        uow.record(CartChanged(cart.id, cart.version))
        uow.record(StockChanged(variant_id, (location_id,), StockChangeCause.RESERVED))
        try:
            written_rows = await uow.commit(chain, values)
        except _LOST_RACE:
            return None
    held = written_rows["grown"].first or written_rows["inserted"].first
    assert held is not None  # the take was required, and a hold follows every take
    reserved = StockReserved(
        owner_kind=OwnerKind.CART, owner_id=str(cart.id), reservations=(reservation_from_row(held),)
    )
    return CartResult(result), reserved


@functools.cache
def _steps(dialect: str, *, key: bool, new_line: bool, extend: bool) -> Chain:
    """The add's write steps, in the order their locks are taken: the cart row first
    (a second writer of the cart waits there, then finds the version moved)."""
    steps = [touch_cart()]
    if key:
        steps.append(replace(claim_key(dialect, after="cart"), required=True))
    steps.append(insert_line(after="cart", with_id=True) if new_line else update_line(after="cart"))
    steps.append(take_stock(after="cart"))
    steps.extend(hold_steps(dialect))
    if extend:
        steps.append(extend_holds(after="cart", sparing=PREFIX))
    return Chain(tuple(steps))
