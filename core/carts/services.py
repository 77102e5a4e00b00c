"""Cart use cases: create, change lines and email, resume in another channel, sweep.

Every change is one transaction (``_change``):

1. The cart row is locked by its token digest, together with its channel (one
   statement). Whoever holds the lock changes the cart; a second device's request
   waits and then works on the version the first one left, so concurrent adds are
   atomic increments and no interleaving loses a line.
2. With an idempotency key, the request is recorded (``cart_requests``) before
   anything else is applied. A retry finds the record, applies nothing and answers
   with the cart; the same key with other arguments is refused.
3. With ``expected_version``, a stale version is refused (``CART_VERSION_CONFLICT``).
4. The change itself: lines, and the stock the cart holds for them
   (``core.inventory.holds``: locked in (variant, location) order, topped up or given
   back, never beyond what the channel may sell).
5. ``version`` + 1, ``updated_at``, ``expires_at`` (the channel's cart lifetime), the
   cart's reservations pushed to the channel's reservation lifetime, ``CartChanged``
   recorded, the cart priced through the pricing hook (a failing plugin rolls it all
   back), commit.

Errors are ``DomainError`` (nothing written). The GraphQL layer answers them with the
cart as it is, so a client can rebase.

On PostgreSQL the common add (one variant, holds not lapsed, no availability plugin) is
first tried without that transaction (``_add_at_once``, ``core.carts.at_once``): a
read, then one statement that writes everything the steps above write, guarded by
what was read, and committed by itself. It leaves the same rows, events and answer.
When anything changed between the read and the write, the statement writes nothing
and the add takes the path above.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

import orjson
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from core.carts import at_once, queries, tokens
from core.carts.events import CartChanged
from core.carts.model import Cart, CartLine, CartStatus, PricedCart, SaleInfo
from core.carts.pricing import price_cart
from core.carts.tables import CartRequestRow
from core.channels import queries as channel_queries
from core.channels.model import Channel
from core.db import table_of
from core.errors import DomainError, ErrorCode, Problem
from core.fastsql import fetch
from core.ids import CartId, CartLineId, ChannelId, CustomerId, VariantId
from core.inventory import holds
from core.inventory.model import OwnerKind
from core.keys import CART_SEAL
from core.money import Money
from core.uow import UnitOfWork
from core.validation import email_problems

logger = logging.getLogger(__name__)

_carts = queries.carts_table
_lines = queries.lines_table
_requests = table_of(CartRequestRow)

HOLD_REFRESH = timedelta(minutes=1)
IDEMPOTENCY_KEY_LENGTH = (16, 255)


@dataclass(frozen=True, slots=True)
class CartLimits:
    """Configured bounds (``OMNICART_CART_MAX_LINE_QUANTITY``, ``OMNICART_CART_MAX_LINES``)."""

    max_line_quantity: int = 999
    max_lines: int = 250


DEFAULT_LIMITS = CartLimits()


@dataclass(frozen=True, slots=True)
class LineInput:
    variant_id: VariantId
    quantity: int


@dataclass(frozen=True, slots=True)
class LineQuantity:
    line_id: CartLineId
    quantity: int


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends the request: a logged-in customer, or nobody but the token holder."""

    customer_id: CustomerId | None = None


@dataclass(frozen=True, slots=True)
class Guard:
    """Optional concurrency and retry guards of a change."""

    expected_version: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class CartResult:
    cart: PricedCart
    # The token: returned by cartCreate only (and its retries).
    token: str | None = None
    # A retry of an earlier request with the same idempotency key: nothing was applied.
    replayed: bool = False


@dataclass(slots=True)
class _Change:
    """What a change function works with, inside the cart's transaction."""

    uow: UnitOfWork
    cart: Cart
    channel: Channel
    info: dict[VariantId, SaleInfo]
    limits: CartLimits
    now: datetime
    stock: holds.HeldStock | None = None
    # Stock to hold once the cart's own rows are written (see _hold_added).
    stock_work: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Line updates and the cart's touch sent with the commit (UnitOfWork.write_later):
    # set by _change, where nothing reads them back before the commit.
    write_later: bool = False

    async def write(
        self, connection: AsyncConnection, statement: Any, parameters: dict[str, Any]
    ) -> None:
        if self.write_later:
            await self.uow.write_later(statement, parameters)
        else:
            await fetch(connection, statement, parameters)

    @property
    def owner_id(self) -> str:
        return str(self.cart.id)

    @property
    def hold_until(self) -> datetime:
        return self.now + timedelta(seconds=self.channel.reservation_ttl_seconds)

    async def lock(
        self, variant_ids: Collection[VariantId], *, elsewhere: bool = False
    ) -> holds.HeldStock:
        self.stock = await holds.lock_for_owner(
            self.uow,
            self.channel,
            OwnerKind.CART,
            self.owner_id,
            variant_ids,
            include_owned_elsewhere=elsewhere,
        )
        return self.stock


ChangeFunction = Callable[[_Change], Awaitable[tuple[CartLine, ...]]]


# ---------------------------------------------------------------- input checks


def token_problems(token: str, field: str = "token") -> list[Problem]:
    if tokens.looks_like_token(token):
        return []
    return [Problem(ErrorCode.INVALID_CART_TOKEN, "This is not a cart token", field)]


def _guard_problems(guard: Guard) -> list[Problem]:
    problems: list[Problem] = []
    if guard.expected_version is not None and guard.expected_version < 0:
        problems.append(Problem(ErrorCode.INVALID, "A version is not negative", "expected_version"))
    key = guard.idempotency_key
    if key is not None:
        low, high = IDEMPOTENCY_KEY_LENGTH
        if not low <= len(key) <= high or not key.isprintable():
            problems.append(
                Problem(
                    ErrorCode.INVALID,
                    f"An idempotency key is {low} to {high} printable characters "
                    "(a UUID is a good one)",
                    "idempotency_key",
                )
            )
    return problems


def _quantity_problems(
    quantity: int, field: str, limits: CartLimits, *, zero: bool
) -> list[Problem]:
    low = 0 if zero else 1
    if low <= quantity <= limits.max_line_quantity:
        return []
    return [
        Problem(
            ErrorCode.INVALID_QUANTITY,
            f"A quantity is between {low} and {limits.max_line_quantity}",
            field,
        )
    ]


def _email_problems(email: str) -> list[Problem]:
    """A cart's email is optional: "" clears it; anything else must be an address."""
    return email_problems(email) if email else []


def _line_problems(
    lines: Sequence[LineInput], info: Mapping[VariantId, SaleInfo], limits: CartLimits
) -> list[Problem]:
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        found = info.get(line.variant_id)
        if found is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_VARIANT,
                    "There is no such variant",
                    f"lines.{index}.variant_id",
                )
            )
        elif found.base_price is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_SOLD_IN_CHANNEL,
                    "This variant is not sold in the cart's channel",
                    f"lines.{index}.variant_id",
                )
            )
    return problems


def _merge_inputs(lines: Sequence[LineInput]) -> dict[VariantId, int]:
    """Quantities per variant: the same variant twice in one request adds up."""
    wanted: dict[VariantId, int] = {}
    for line in lines:
        wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
    return wanted


# ---------------------------------------------------------------- idempotency


def _key_digest(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


def _fingerprint(operation: str, arguments: Any) -> str:
    return hashlib.sha256(
        orjson.dumps([operation, arguments], option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def _pad(key: str, length: int) -> bytes:
    return hashlib.sha512(f"seal\0{key}".encode()).digest()[:length]


def _seal(token: str, key: str) -> str:
    raw = token.encode()
    return bytes(a ^ b for a, b in zip(raw, _pad(key, len(raw)), strict=True)).hex()


def _unseal(sealed: str, key: str) -> str:
    raw = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(raw, _pad(key, len(raw)), strict=True)).decode()


@functools.lru_cache(maxsize=4)
def _claim_statement(dialect: str) -> Any:
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        builder(_requests)
        .values({column: bindparam(column, type_=_requests.c[column].type) for column in _CLAIMED})
        .on_conflict_do_nothing(index_elements=["key_digest"])
        .returning(_requests.c.id)
    )


_CLAIMED = (
    "key_digest",
    "cart_id",
    "operation",
    "fingerprint",
    "cart_version",
    "sealed_token",
    "created_at",
)


async def _claim(connection: AsyncConnection, values: dict[str, Any]) -> Any | None:
    """Record a keyed request (``_claim_values``); returns the earlier record when the
    key was used before.

    Concurrent requests with one key: the second waits on the unique index until the
    first commits (PostgreSQL) or on the write lock (SQLite), then finds its record.
    """
    inserted = await fetch(connection, _claim_statement(connection.dialect.name), values)
    if inserted:
        return None
    return await _earlier(
        connection, values["key_digest"], values["operation"], values["fingerprint"]
    )


def _claim_values(
    *,
    key_digest: str,
    cart_id: CartId,
    operation: str,
    fingerprint: str,
    cart_version: int,
    now: datetime,
    sealed_token: str | None = None,
) -> dict[str, Any]:
    return {
        "key_digest": key_digest,
        "cart_id": cart_id,
        "operation": operation,
        "fingerprint": fingerprint,
        "cart_version": cart_version,
        "sealed_token": sealed_token,
        "created_at": now,
    }


async def _earlier(
    connection: AsyncConnection, key_digest: str, operation: str, fingerprint: str
) -> Any:
    """The record of an earlier request with this key (it must be the same request)."""
    earlier = (
        await connection.execute(select(_requests).where(_requests.c.key_digest == key_digest))
    ).first()
    if earlier is None:  # pragma: no cover - the conflicting row is committed by then
        raise DomainError.single(ErrorCode.INVALID, "Retry the request", "idempotency_key")
    if earlier.operation != operation or earlier.fingerprint != fingerprint:
        raise DomainError.single(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different request",
            "idempotency_key",
        )
    return earlier


# ---------------------------------------------------------------- reading


async def read_cart(uow: UnitOfWork, token: str, caller: Caller) -> PricedCart | None:
    """The cart of a token as the caller may see it, priced now; None when it may not."""
    if token_problems(token):
        return None
    async with uow:
        connection = await uow.connection()
        row = await queries.cart_header_by_digest(connection, tokens.digest(token))
        if row is None or not tokens.same_digest(row.token_digest, token):
            return None
        cart = queries.cart_from_row(row)
        if not _may_use(cart, caller):
            return None
        return await _priced(uow, connection, cart)


async def active_cart(
    uow: UnitOfWork, customer_id: CustomerId, channel_id: ChannelId
) -> CartResult | None:
    """The customer's active cart in the channel, priced now, with its token."""
    seal_key = await uow.keys.key(CART_SEAL)
    async with uow:
        connection = await uow.connection()
        cart_id = await queries.active_cart_id_for_customer(connection, customer_id, channel_id)
        if cart_id is None:
            return None
        return await owned_cart(uow, connection, cart_id, seal_key)


async def owned_cart(
    uow: UnitOfWork, connection: AsyncConnection, cart_id: CartId, seal_key: bytes
) -> CartResult | None:
    """A cart by id (access already checked), priced now, with its token unsealed."""
    cart = await queries.cart_by_id(connection, cart_id)
    if cart is None:
        return None
    secret = await queries.cart_secret(connection, cart_id)
    token = None if secret is None else tokens.unseal(secret[1], secret[0], seal_key)
    return CartResult(await _priced(uow, connection, cart), token=token)


async def _priced(uow: UnitOfWork, connection: AsyncConnection, cart: Cart) -> PricedCart:
    channels = await channel_queries.channels_by_id(connection, [cart.channel_id])
    channel = channels[cart.channel_id]
    lines, info = await queries.lines_and_sale_info(connection, cart.id, channel.id)
    cart = replace(cart, lines=tuple(lines))
    return await price_cart(uow.plugins, channel, cart, info)


def _may_use(cart: Cart, caller: Caller) -> bool:
    """A customer's cart is the token holder's and that customer's, nobody else's."""
    return cart.customer_id is None or caller.customer_id in (None, cart.customer_id)


# ---------------------------------------------------------------- creating


async def create_cart(
    uow: UnitOfWork,
    *,
    channel_id: ChannelId,
    lines: Sequence[LineInput] = (),
    email: str = "",
    caller: Caller = Caller(),
    idempotency_key: str | None = None,
    limits: CartLimits = CartLimits(),
) -> CartResult:
    """A new cart in a channel, owned by the caller when logged in, with its first lines.

    Raises ``DomainError``: ``UNKNOWN_CHANNEL``, ``UNKNOWN_VARIANT``, ``NOT_SOLD_IN_CHANNEL``,
    ``INVALID_QUANTITY``, ``INSUFFICIENT_STOCK``, ``INVALID_EMAIL``, ``INVALID``,
    ``IDEMPOTENCY_KEY_REUSED``, ``TOO_MANY_LINES``.
    """
    guard = Guard(idempotency_key=idempotency_key)
    problems = [
        *_guard_problems(guard),
        *_email_problems(email),
        *[
            problem
            for index, line in enumerate(lines)
            for problem in _quantity_problems(
                line.quantity, f"lines.{index}.quantity", limits, zero=False
            )
        ],
    ]
    wanted = _merge_inputs(lines)
    if len(wanted) > limits.max_lines:
        problems.append(_too_many_lines(limits))
    if problems:
        raise DomainError(problems)
    seal_key = await uow.keys.key(CART_SEAL)
    async with uow:
        connection = await uow.connection()
        channels = await channel_queries.channels_by_id(connection, [channel_id])
        channel = channels.get(channel_id)
        if channel is None:
            raise DomainError.single(
                ErrorCode.UNKNOWN_CHANNEL, "There is no such channel", "channel"
            )
        info = await queries.sale_info(connection, channel.id, wanted)
        problems = _line_problems(lines, info, limits)
        if problems:
            raise DomainError(problems)
        now = uow.clock.now()
        token = tokens.new_token()
        cart_id = CartId(
            (
                await connection.execute(
                    insert(_carts)
                    .values(
                        token_digest=tokens.digest(token),
                        sealed_token=tokens.seal(token, seal_key),
                        channel_id=channel.id,
                        customer_id=caller.customer_id,
                        email=email,
                        status=CartStatus.ACTIVE.value,
                        version=1,
                        created_at=now,
                        updated_at=now,
                        expires_at=now + timedelta(seconds=channel.cart_ttl_seconds),
                        holds_until=now + timedelta(seconds=channel.reservation_ttl_seconds),
                    )
                    .returning(_carts.c.id)
                )
            ).scalar_one()
        )
        if idempotency_key is not None:
            arguments = {
                "channel": channel.id,
                "lines": sorted((int(v), q) for v, q in wanted.items()),
                "email": email,
                "customer": caller.customer_id,
            }
            earlier = await _claim(
                connection,
                _claim_values(
                    key_digest=_key_digest("create", idempotency_key),
                    cart_id=cart_id,
                    operation="cartCreate",
                    fingerprint=_fingerprint("cartCreate", arguments),
                    cart_version=1,
                    now=now,
                    sealed_token=_seal(token, idempotency_key),
                ),
            )
            if earlier is not None:
                await uow.session.rollback()
                return await _replayed_create(uow, earlier, idempotency_key)
        cart = Cart(
            id=cart_id,
            channel_id=channel.id,
            customer_id=caller.customer_id,
            email=email,
            status=CartStatus.ACTIVE,
            merged_into_id=None,
            version=1,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(seconds=channel.cart_ttl_seconds),
            lines=(),
            holds_until=now + timedelta(seconds=channel.reservation_ttl_seconds),
        )
        change = _Change(uow, cart, channel, dict(info), limits, now)
        new_lines = await _add(change, wanted, connection)
        cart = replace(cart, lines=new_lines)
        priced = await price_cart(uow.plugins, channel, cart, info)
        uow.record(CartChanged(cart.id, cart.version))
        for work in change.stock_work:
            await work()
        await uow.commit()
    logger.info("cart created cart=%s channel=%s lines=%d", cart.id, channel.slug, len(new_lines))
    return CartResult(priced, token=token)


async def _replayed_create(uow: UnitOfWork, earlier: Any, key: str) -> CartResult:
    token = _unseal(earlier.sealed_token, key)
    cart = await queries.cart_by_id(await uow.connection(), CartId(earlier.cart_id))
    if cart is None:
        raise DomainError.single(ErrorCode.CART_NOT_FOUND, "The cart no longer exists", "token")
    connection = await uow.connection()
    return CartResult(await _priced(uow, connection, cart), token=token, replayed=True)


def _too_many_lines(limits: CartLimits) -> Problem:
    return Problem(
        ErrorCode.TOO_MANY_LINES, f"A cart holds at most {limits.max_lines} lines", "lines"
    )


# ---------------------------------------------------------------- changing


async def _change(
    uow: UnitOfWork,
    *,
    token: str,
    caller: Caller,
    guard: Guard,
    operation: str,
    arguments: Any,
    variant_ids: Collection[VariantId],
    apply: ChangeFunction,
    limits: CartLimits,
    problems: Sequence[Problem] = (),
    unchanged_if: Callable[[Cart], bool] | None = None,
) -> CartResult:
    problems = [*token_problems(token), *_guard_problems(guard), *problems]
    if problems:
        raise DomainError(problems)
    async with uow:
        connection = await uow.connection()
        found = await queries.cart_for_update(connection, tokens.digest(token))
        if found is None or not tokens.same_digest(found[0].cart_token_digest, token):
            raise _not_found()
        row, channel = found
        cart = queries.cart_from_row(row, "cart_")
        if not _may_use(cart, caller):
            raise _not_found()
        now = uow.clock.now()
        lines_and_info: tuple[list[CartLine], dict[VariantId, SaleInfo]] | None = None
        if guard.idempotency_key is not None:
            claim_values = _claim_values(
                key_digest=_key_digest(f"cart:{cart.id}", guard.idempotency_key),
                cart_id=cart.id,
                operation=operation,
                fingerprint=_fingerprint(operation, arguments),
                cart_version=cart.version + 1,
                now=now,
            )
            if connection.dialect.name == "postgresql":
                # The key and the lines in one statement: a round trip fewer per change.
                claimed, found_lines, found_info = await queries.claim_then_lines(
                    connection,
                    _claim_statement("postgresql"),
                    claim_values,
                    cart.id,
                    channel.id,
                    variant_ids,
                )
                lines_and_info = (found_lines, found_info)
                earlier = None
                if not claimed:
                    earlier = await _earlier(
                        connection,
                        claim_values["key_digest"],
                        operation,
                        claim_values["fingerprint"],
                    )
            else:
                earlier = await _claim(connection, claim_values)
            if earlier is not None:
                await uow.session.rollback()
                priced = await _priced(uow, await uow.connection(), cart)
                return CartResult(priced, replayed=True)
        if cart.status is not CartStatus.ACTIVE:
            raise DomainError.single(
                ErrorCode.CART_NOT_ACTIVE,
                "This cart was merged into another one and can no longer change",
                "token",
            )
        if cart.expires_at <= now:
            raise DomainError.single(ErrorCode.CART_EXPIRED, "This cart has expired", "token")
        if guard.expected_version is not None and guard.expected_version != cart.version:
            raise DomainError.single(
                ErrorCode.CART_VERSION_CONFLICT,
                f"The cart is at version {cart.version}, not {guard.expected_version}",
                "expected_version",
            )
        if unchanged_if is not None and unchanged_if(cart):
            await uow.session.rollback()
            return CartResult(await _priced(uow, await uow.connection(), cart))
        lines, info = lines_and_info or await queries.lines_and_sale_info(
            connection, cart.id, channel.id, variant_ids
        )
        cart = replace(cart, lines=tuple(lines))
        change = _Change(uow, cart, channel, info, limits, now, write_later=True)
        new_lines = await apply(change)
        cart = await _touch(change, replace(change.cart, lines=new_lines), connection)
        # Priced (a plugin may fail) before the stock is taken: from taking it to the
        # commit nothing else runs, so other adds of the variant wait as little as possible.
        priced = await price_cart(uow.plugins, change.channel, cart, change.info)
        uow.record(CartChanged(cart.id, cart.version))
        for work in change.stock_work:
            await work()
        await uow.commit()
    return CartResult(priced)


def _not_found() -> DomainError:
    return DomainError.single(ErrorCode.CART_NOT_FOUND, "There is no cart with this token", "token")


_TOUCH = (
    update(_carts)
    .where(_carts.c.id == bindparam("cart_id"))
    .values(
        {
            column: bindparam(column, type_=_carts.c[column].type)
            for column in (
                "version",
                "updated_at",
                "expires_at",
                "holds_until",
                "channel_id",
                "email",
            )
        }
    )
)


async def _touch(change: _Change, cart: Cart, connection: AsyncConnection) -> Cart:
    """The new version and lifetime, and the cart's stock held for longer.

    Pushing every reservation of the cart to the new hold expiry is skipped while the
    last push is less than ``HOLD_REFRESH`` old: a busy cart does it once a minute, and
    its holds still last at least the channel's reservation lifetime less a minute
    after its last change. (Reservations taken by this change get the full lifetime.)
    """
    version = cart.version + 1
    expires_at = change.now + timedelta(seconds=change.channel.cart_ttl_seconds)
    holds_until = cart.holds_until
    if holds_until is None or holds_until < change.hold_until - HOLD_REFRESH:
        await holds.extend(change.uow, OwnerKind.CART, str(cart.id), expires_at=change.hold_until)
        holds_until = change.hold_until
    await change.write(
        connection,
        _TOUCH,
        {
            "cart_id": cart.id,
            "version": version,
            "updated_at": change.now,
            "expires_at": expires_at,
            "holds_until": holds_until,
            "channel_id": cart.channel_id,
            "email": cart.email,
        },
    )
    return replace(
        cart,
        version=version,
        updated_at=change.now,
        expires_at=expires_at,
        holds_until=holds_until,
    )


async def _add(
    change: _Change, wanted: Mapping[VariantId, int], connection: AsyncConnection
) -> tuple[CartLine, ...]:
    """Add quantities to lines (new lines for new variants), holding the stock for them."""
    cart = change.cart
    existing = {line.variant_id: line for line in cart.lines}
    new_variants = [v for v in wanted if v not in existing]
    if len(existing) + len(new_variants) > change.limits.max_lines:
        raise DomainError([_too_many_lines(change.limits)])
    for variant_id, quantity in wanted.items():
        line = existing.get(variant_id)
        total = quantity + (line.quantity if line else 0)
        if total > change.limits.max_line_quantity:
            raise DomainError.single(
                ErrorCode.INVALID_QUANTITY,
                f"A line holds at most {change.limits.max_line_quantity}",
                "lines",
            )
    by_variant = dict(existing)
    for variant_id, quantity in sorted(wanted.items()):
        line = existing.get(variant_id)
        total = quantity + (line.quantity if line else 0)
        price = change.info[variant_id].base_price
        by_variant[variant_id] = await _write_line(
            connection, change, line, variant_id, total, price.minor_units if price else None
        )
    change.stock_work.append(lambda: _hold_added(change, wanted, existing))
    return _ordered(by_variant.values())


async def _hold_added(
    change: _Change, wanted: Mapping[VariantId, int], existing: Mapping[VariantId, CartLine]
) -> None:
    """Hold the stock for what was added: last in the transaction, so that the stock rows
    every add of a popular variant must lock are held only until the commit right after.

    The common case (one variant, no availability plugin in the channel) is one guarded
    increment at the first location by priority that has any of it
    (``holds.quick_hold_last``, sent with everything else the change writes); when that
    location cannot give the whole quantity, when the
    line's earlier hold lapsed, or when a plugin may hold units back, the rows are
    locked and the stock planned across locations (``holds.set_held``).
    """
    uow, channel = change.uow, change.channel
    if len(wanted) == 1 and not uow.plugins.implements("omnicart_variant_availability", channel):
        ((variant_id, quantity),) = wanted.items()
        line = existing.get(variant_id)
        lapsed = line is not None and (change.cart.holds_until or change.now) <= change.now
        if not lapsed and await holds.quick_hold_last(
            uow,
            channel.id,
            OwnerKind.CART,
            change.owner_id,
            variant_id,
            quantity,
            expires_at=change.hold_until,
        ):
            return
    stock = await change.lock(wanted)
    for variant_id, quantity in sorted(wanted.items()):
        line = existing.get(variant_id)
        total = quantity + (line.quantity if line else 0)
        await holds.set_held(
            uow,
            stock,
            variant_id,
            total,
            expires_at=change.hold_until,
            required=min(total, stock.held.get(variant_id, 0) + quantity),
        )


async def _write_line(
    connection: AsyncConnection,
    change: _Change,
    line: CartLine | None,
    variant_id: VariantId,
    quantity: int,
    unit_price_minor: int | None,
) -> CartLine:
    currency = change.channel.currency
    if line is None:
        (inserted,) = await fetch(
            connection,
            _LINE_INSERT,
            {
                "cart_id": change.cart.id,
                "variant_id": variant_id,
                "quantity": quantity,
                "unit_price_minor": unit_price_minor,
                "currency": currency,
                "created_at": change.now,
                "updated_at": change.now,
            },
        )
        return CartLine(
            CartLineId(inserted.id),
            variant_id,
            quantity,
            None if unit_price_minor is None else Money(unit_price_minor, currency),
            change.now,
            change.now,
        )
    await change.write(
        connection,
        _LINE_UPDATE,
        {
            "line_id": line.id,
            "quantity": quantity,
            "unit_price_minor": unit_price_minor,
            "currency": currency,
            "updated_at": change.now,
        },
    )
    return replace(
        line,
        quantity=quantity,
        unit_price_when_added=None
        if unit_price_minor is None
        else Money(unit_price_minor, currency),
        updated_at=change.now,
    )


_LINE_COLUMNS = ("quantity", "unit_price_minor", "currency", "updated_at")
_LINE_INSERT = (
    insert(_lines)
    .values(
        {
            column: bindparam(column, type_=_lines.c[column].type)
            for column in ("cart_id", "variant_id", "created_at", *_LINE_COLUMNS)
        }
    )
    .returning(_lines.c.id)
)
_LINE_UPDATE = (
    update(_lines)
    .where(_lines.c.id == bindparam("line_id"))
    .values({column: bindparam(column, type_=_lines.c[column].type) for column in _LINE_COLUMNS})
)


def _ordered(lines: Collection[CartLine]) -> tuple[CartLine, ...]:
    """Lines in the order they were first added."""
    return tuple(sorted(lines, key=lambda line: (line.created_at, line.id)))


# The operation name idempotency records of adds carry.
_ADD = "cartLinesAdd"


async def add_lines(
    uow: UnitOfWork,
    *,
    token: str,
    lines: Sequence[LineInput],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = CartLimits(),
) -> CartResult:
    """Add quantities (a variant already in the cart increments its line).

    Raises ``DomainError``: ``INVALID_CART_TOKEN``, ``CART_NOT_FOUND``, ``CART_EXPIRED``,
    ``CART_NOT_ACTIVE``, ``CART_VERSION_CONFLICT``, ``IDEMPOTENCY_KEY_REUSED``,
    ``UNKNOWN_VARIANT``, ``NOT_SOLD_IN_CHANNEL``, ``INVALID_QUANTITY``, ``INSUFFICIENT_STOCK``,
    ``TOO_MANY_LINES``, ``REQUIRED`` (no lines).
    """
    problems = [
        problem
        for index, line in enumerate(lines)
        for problem in _quantity_problems(
            line.quantity, f"lines.{index}.quantity", limits, zero=False
        )
    ]
    if not lines:
        problems.append(Problem(ErrorCode.REQUIRED, "Give at least one line", "lines"))
    wanted = _merge_inputs(lines)
    # What an idempotency key's record is compared with on a retry (_fingerprint).
    arguments = sorted((int(v), q) for v, q in wanted.items())
    if not problems and len(wanted) == 1 and uow.writes_at_once:
        ((variant_id, quantity),) = wanted.items()
        made = await _add_at_once(
            uow,
            token=token,
            caller=caller,
            guard=guard,
            lines=lines,
            variant_id=variant_id,
            quantity=quantity,
            limits=limits,
            fingerprint=_fingerprint(_ADD, arguments),
        )
        if made is not None:
            return made

    async def apply(change: _Change) -> tuple[CartLine, ...]:
        found = _line_problems(lines, change.info, limits)
        if found:
            raise DomainError(found)
        return await _add(change, wanted, await change.uow.connection())

    return await _change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=_ADD,
        arguments=arguments,
        variant_ids=wanted,
        apply=apply,
        limits=limits,
        problems=problems,
    )


async def _add_at_once(
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
    """The common add, made in one guarded statement (``core.carts.at_once``); None
    when the locked path must make it, or refuse it with the right error.

    It takes the add that the locked path would make the same way: one variant, no
    availability plugin in the channel (the stock is then one guarded take at the
    first location with any), the line's hold not lapsed, and every check passing.
    The result is the same too: same rows, same events, same answer; only the locks
    are held for less time.
    """
    if token_problems(token) or _guard_problems(guard):
        return None
    async with uow.at_once() as connection:
        found = await at_once.read(connection, tokens.digest(token), variant_id)
        if found is None or not tokens.same_digest(found.token_digest, token):
            return None
        cart, channel = found.cart, found.channel
        now = uow.clock.now()
        hold_until = now + timedelta(seconds=channel.reservation_ttl_seconds)
        line = cart.line_for(variant_id)
        total = quantity + (line.quantity if line else 0)
        if (
            not _may_use(cart, caller)
            or cart.status is not CartStatus.ACTIVE
            or cart.expires_at <= now
            or guard.expected_version not in (None, cart.version)
            # The line's hold lapsed: the locked path holds its whole quantity again.
            or (line is not None and (cart.holds_until or now) <= now)
            or uow.plugins.implements("omnicart_variant_availability", channel)
            or _line_problems(lines, found.info, limits)
            or total > limits.max_line_quantity
            or (line is None and (found.new_line_id is None or len(cart.lines) >= limits.max_lines))
        ):
            return None
        price = found.info[variant_id].base_price
        assert price is not None  # _line_problems: sold in the channel
        added = CartLine(
            id=line.id if line else cast(CartLineId, found.new_line_id),
            variant_id=variant_id,
            quantity=total,
            unit_price_when_added=Money(price.minor_units, channel.currency),
            created_at=line.created_at if line else now,
            updated_at=now,
        )
        # The cart's holds pushed to the new expiry when due, as _touch does.
        extend = cart.holds_until is None or cart.holds_until < hold_until - HOLD_REFRESH
        cart = replace(
            cart,
            lines=_ordered([*(other for other in cart.lines if other is not line), added]),
            version=cart.version + 1,
            updated_at=now,
            expires_at=now + timedelta(seconds=channel.cart_ttl_seconds),
            holds_until=hold_until if extend else cart.holds_until,
        )
        # Priced before anything is written: a failing plugin leaves the cart as it was.
        priced = await price_cart(uow.plugins, channel, cart, found.info)
        key = guard.idempotency_key
        changed = CartChanged(cart.id, cart.version)
        rows = await at_once.write(
            uow,
            connection,
            {
                "cart_id": cart.id,
                "read_version": cart.version - 1,
                "version": cart.version,
                "now": now,
                "cart_expires_at": cart.expires_at,
                "holds_until": cart.holds_until,
                "extend": extend,
                "key_digest": None if key is None else _key_digest(f"cart:{cart.id}", key),
                "operation": _ADD,
                "fingerprint": fingerprint,
                "line_id": line.id if line else None,
                "read_quantity": line.quantity if line else None,
                "new_line_id": None if line else added.id,
                "line_quantity": total,
                "unit_price_minor": price.minor_units,
                "currency": channel.currency,
                "variant_id": variant_id,
                "channel_id": channel.id,
                "quantity": quantity,
                "owner_kind": OwnerKind.CART.value,
                "owner_id": str(cart.id),
                "expires_at": hold_until,
            },
            [changed],
        )
    if rows is None:
        return None
    held = holds.quick_hold_events(OwnerKind.CART, str(cart.id), variant_id, rows)
    assert held is not None  # omnicart_require: the stock was taken
    await uow.after_commit([changed, *held])
    return CartResult(priced)


async def update_lines(
    uow: UnitOfWork,
    *,
    token: str,
    lines: Sequence[LineQuantity],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = CartLimits(),
) -> CartResult:
    """Set line quantities (0 removes the line), holding or giving back stock to match.

    Raises ``DomainError`` as ``add_lines``, and ``UNKNOWN_LINE`` for a line not in the cart.
    """
    problems = [
        problem
        for index, line in enumerate(lines)
        for problem in _quantity_problems(
            line.quantity, f"lines.{index}.quantity", limits, zero=True
        )
    ]
    if not lines:
        problems.append(Problem(ErrorCode.REQUIRED, "Give at least one line", "lines"))
    seen: set[CartLineId] = set()
    for index, line in enumerate(lines):
        if line.line_id in seen:
            problems.append(
                Problem(ErrorCode.DUPLICATE, "This line is listed twice", f"lines.{index}.line_id")
            )
        seen.add(line.line_id)
    quantities = {line.line_id: line.quantity for line in lines}

    async def apply(change: _Change) -> tuple[CartLine, ...]:
        by_id = {line.id: line for line in change.cart.lines}
        unknown = [
            Problem(
                ErrorCode.UNKNOWN_LINE,
                "There is no such line in this cart",
                f"lines.{index}.line_id",
            )
            for index, line in enumerate(lines)
            if line.line_id not in by_id
        ]
        if unknown:
            raise DomainError(unknown)
        targets = {by_id[line_id].variant_id: q for line_id, q in quantities.items()}
        return await _set_quantities(change, targets)

    return await _change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation="cartLinesUpdate",
        arguments=sorted((int(k), q) for k, q in quantities.items()),
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=problems,
    )


async def _set_quantities(
    change: _Change, targets: Mapping[VariantId, int]
) -> tuple[CartLine, ...]:
    """Lines of ``targets`` get exactly those quantities (0 deletes), stock to match."""
    connection = await change.uow.connection()
    stock = await change.lock(targets, elsewhere=True)
    by_variant = {line.variant_id: line for line in change.cart.lines}
    removed: list[VariantId] = []
    for variant_id, quantity in sorted(targets.items()):
        line = by_variant[variant_id]
        if quantity == 0:
            removed.append(variant_id)
            continue
        if quantity == line.quantity:
            continue
        info = change.info.get(variant_id)
        if quantity > line.quantity and (info is None or info.base_price is None):
            raise DomainError.single(
                ErrorCode.NOT_SOLD_IN_CHANNEL,
                "This variant is no longer sold in the cart's channel",
                "lines",
            )
        held = stock.held.get(variant_id, 0)
        increase = max(0, quantity - line.quantity)
        await holds.set_held(
            change.uow,
            stock,
            variant_id,
            quantity,
            expires_at=change.hold_until,
            required=min(quantity, held + increase),
        )
        price = info.base_price if info else None
        by_variant[variant_id] = await _write_line(
            connection,
            change,
            line,
            variant_id,
            quantity,
            price.minor_units
            if price
            else (line.unit_price_when_added.minor_units if line.unit_price_when_added else None),
        )
    if removed:
        await holds.release(change.uow, stock, removed)
        await connection.execute(
            delete(_lines).where(_lines.c.id.in_([by_variant[v].id for v in removed]))
        )
        for variant_id in removed:
            del by_variant[variant_id]
    return _ordered(by_variant.values())


async def remove_lines(
    uow: UnitOfWork,
    *,
    token: str,
    line_ids: Sequence[CartLineId],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = CartLimits(),
) -> CartResult:
    """Remove lines and give back their stock. Raises as ``update_lines``."""
    problems = []
    if not line_ids:
        problems.append(Problem(ErrorCode.REQUIRED, "Give at least one line", "line_ids"))

    async def apply(change: _Change) -> tuple[CartLine, ...]:
        by_id = {line.id: line for line in change.cart.lines}
        unknown = [
            Problem(
                ErrorCode.UNKNOWN_LINE, "There is no such line in this cart", f"line_ids.{index}"
            )
            for index, line_id in enumerate(line_ids)
            if line_id not in by_id
        ]
        if unknown:
            raise DomainError(unknown)
        return await _set_quantities(change, {by_id[line_id].variant_id: 0 for line_id in line_ids})

    return await _change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation="cartLinesRemove",
        arguments=sorted(int(line_id) for line_id in line_ids),
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=problems,
    )


async def clear_cart(
    uow: UnitOfWork,
    *,
    token: str,
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = CartLimits(),
) -> CartResult:
    """Remove every line and give back all the cart's stock."""

    async def apply(change: _Change) -> tuple[CartLine, ...]:
        return await _set_quantities(change, {line.variant_id: 0 for line in change.cart.lines})

    return await _change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation="cartClear",
        arguments=None,
        variant_ids=(),
        apply=apply,
        limits=limits,
    )


async def update_email(
    uow: UnitOfWork,
    *,
    token: str,
    email: str,
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = CartLimits(),
) -> CartResult:
    """Set (or with "" clear) the cart's email. Raises ``INVALID_EMAIL`` and the cart codes."""

    async def apply(change: _Change) -> tuple[CartLine, ...]:
        change.cart = replace(change.cart, email=email)
        return change.cart.lines

    return await _change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation="cartEmailUpdate",
        arguments=email,
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=_email_problems(email),
    )


# ---------------------------------------------------------------- another channel


@dataclass(frozen=True, slots=True)
class ResumeReport:
    """A line the cart's new channel cannot fully give: not sold there, or short of stock."""

    line_id: CartLineId
    variant_id: VariantId
    code: ErrorCode
    wanted: int
    available: int


@dataclass(frozen=True, slots=True)
class ResumeResult:
    cart: CartResult
    unavailable: tuple[ResumeReport, ...]


async def resume_cart(
    uow: UnitOfWork,
    *,
    token: str,
    channel_id: ChannelId,
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = CartLimits(),
) -> ResumeResult:
    """Move the cart to another channel (web to mobile, say), re-priced line by line there.

    The cart's stock is given back and held again from the new channel's locations.
    Lines stay as they are; those the new channel does not sell, or cannot hold in full,
    are reported (and show as cart problems) for the shopper to decide. Resuming in the
    cart's own channel changes nothing.
    """
    reports: list[ResumeReport] = []

    async def apply(change: _Change) -> tuple[CartLine, ...]:
        connection = await change.uow.connection()
        channels = await channel_queries.channels_by_id(connection, [channel_id])
        target = channels.get(channel_id)
        if target is None:
            raise DomainError.single(
                ErrorCode.UNKNOWN_CHANNEL, "There is no such channel", "channel"
            )
        change.channel = target
        change.cart = replace(change.cart, channel_id=target.id)
        variant_ids = [line.variant_id for line in change.cart.lines]
        change.info = await queries.sale_info(connection, target.id, variant_ids)
        stock = await change.lock(variant_ids, elsewhere=True)
        await holds.release(change.uow, stock, variant_ids)
        lines: list[CartLine] = []
        for line in change.cart.lines:
            info = change.info.get(line.variant_id)
            price = None if info is None else info.base_price
            if price is None:
                reports.append(
                    ResumeReport(
                        line.id, line.variant_id, ErrorCode.NOT_SOLD_IN_CHANNEL, line.quantity, 0
                    )
                )
                lines.append(line)
                continue
            held = await holds.set_held(
                change.uow,
                stock,
                line.variant_id,
                line.quantity,
                expires_at=change.hold_until,
                required=0,
            )
            if held < line.quantity:
                reports.append(
                    ResumeReport(
                        line.id, line.variant_id, ErrorCode.INSUFFICIENT_STOCK, line.quantity, held
                    )
                )
            lines.append(
                await _write_line(
                    connection, change, line, line.variant_id, line.quantity, price.minor_units
                )
            )
        return tuple(lines)

    result = await _change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation="cartResume",
        arguments=int(channel_id),
        variant_ids=(),
        apply=apply,
        limits=limits,
        unchanged_if=lambda cart: cart.channel_id == channel_id,
    )
    return ResumeResult(result, tuple(reports))
