"""Creating a cart: a channel, an optional owner, its first lines and their stock."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import insert

from core.carts import queries, tokens
from core.carts.change import Change
from core.carts.events import CartChanged
from core.carts.idempotency import Operation, earlier_request, fingerprint, key_digest
from core.carts.inputs import (
    DEFAULT_LIMITS,
    Caller,
    CartLimits,
    CartResult,
    Guard,
    LineInput,
    cart_email_problems,
    first_lines,
    guard_problems,
    line_problems,
    merge_inputs,
    quantity_problems,
    too_many_lines,
)
from core.carts.lines import add
from core.carts.model import Cart, CartStatus
from core.carts.pricing import price_cart
from core.carts.reading import cart_token, priced
from core.carts.steps import claim_key, claim_values
from core.channels import queries as channel_queries
from core.db.chain import Chain
from core.errors import DomainError, ErrorCode
from core.ids import CartId, ChannelId
from core.keys import CART_SEAL
from core.uow import UnitOfWork

logger = logging.getLogger(__name__)


async def create_cart(
    uow: UnitOfWork,
    *,
    channel_id: ChannelId,
    lines: Sequence[LineInput] = (),
    email: str = "",
    caller: Caller = Caller(),
    idempotency_key: str | None = None,
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """A new cart in a channel, owned by the caller when logged in, with its first lines.

    Raises ``DomainError``: ``UNKNOWN_CHANNEL``, ``UNKNOWN_VARIANT``, ``NOT_SOLD_IN_CHANNEL``,
    ``INVALID_QUANTITY``, ``INSUFFICIENT_STOCK``, ``INVALID_EMAIL``, ``INVALID``,
    ``IDEMPOTENCY_KEY_REUSED``, ``TOO_MANY_LINES``.
    """
    problems = [
        *guard_problems(Guard(idempotency_key=idempotency_key)),
        *cart_email_problems(email),
        *[
            problem
            for index, line in enumerate(lines)
            for problem in quantity_problems(
                line.quantity, f"lines.{index}.quantity", limits, zero=False
            )
        ],
    ]
    wanted = merge_inputs(lines)
    if len(wanted) > limits.max_lines:
        problems.append(too_many_lines(limits))
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
        problems = line_problems(lines, info)
        if problems:
            raise DomainError(problems)
        now = uow.clock.now()
        token = tokens.new_token()
        cart = Cart(
            id=CartId(0),
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
        (inserted,) = await uow.fetch(
            insert(queries.carts_table)
            .values(
                token_digest=tokens.digest(token),
                sealed_token=tokens.seal(token, seal_key),
                channel_id=cart.channel_id,
                customer_id=cart.customer_id,
                email=cart.email,
                status=cart.status.value,
                version=cart.version,
                created_at=now,
                updated_at=now,
                expires_at=cart.expires_at,
                holds_until=cart.holds_until,
            )
            .returning(queries.carts_table.c.id),
            {},
        )
        cart = replace(cart, id=CartId(inserted.id))
        if idempotency_key is not None:
            arguments = {
                "channel": channel.id,
                "lines": sorted((int(v), q) for v, q in wanted.items()),
                "email": email,
                "customer": caller.customer_id,
            }
            digest = key_digest("create", idempotency_key)
            arguments_fingerprint = fingerprint(Operation.CREATE, arguments)
            claimed = await uow.run(
                Chain((claim_key(uow.dialect),)),
                claim_values(
                    key_digest=digest,
                    cart_id=cart.id,
                    operation=Operation.CREATE.value,
                    fingerprint=arguments_fingerprint,
                    cart_version=1,
                    now=now,
                ),
            )
            if not claimed["claimed"].happened:
                earlier = await earlier_request(
                    uow, digest, Operation.CREATE, arguments_fingerprint
                )
                await uow.rollback()
                return await _replayed(uow, CartId(earlier.cart_id), seal_key)
        change = Change(uow, cart, channel, dict(info), limits, now)
        cart = replace(cart, lines=await add(change, wanted, first_lines(lines)))
        result = await price_cart(uow.plugins, channel, cart, info)
        uow.record(CartChanged(cart.id, cart.version))
        for work in change.stock_work:
            await work()
        await uow.commit(change.pending(), change.values)
    logger.info("cart created cart=%s channel=%s lines=%d", cart.id, channel.slug, len(cart.lines))
    return CartResult(result, token=token)


async def _replayed(uow: UnitOfWork, cart_id: CartId, seal_key: bytes) -> CartResult:
    """The answer to a retried creation: the cart it made, with its token (unsealed with
    the instance key, as a cart handed to a new device is)."""
    cart = await queries.cart_by_id(await uow.connection(), cart_id)
    if cart is None:
        raise DomainError.single(ErrorCode.CART_NOT_FOUND, "The cart no longer exists", "token")
    return CartResult(
        await priced(uow, cart), token=await cart_token(uow, cart_id, seal_key), replayed=True
    )
