"""Reading a cart as its holder may see it, priced now."""

from __future__ import annotations

from dataclasses import replace

from core.carts import queries, tokens
from core.carts.delivery_cost import priced_with_delivery
from core.carts.inputs import Caller, CartResult, may_use, token_problems
from core.carts.model import Cart, PricedCart
from core.carts.pricing import price_cart
from core.channels import queries as channel_queries
from core.ids import CartId, ChannelId, CustomerId
from core.keys import CART_SEAL
from core.uow import UnitOfWork


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
        if not may_use(cart, caller):
            return None
        return await priced(uow, cart)


async def active_cart(
    uow: UnitOfWork, customer_id: CustomerId, channel_id: ChannelId
) -> CartResult | None:
    """The customer's active cart in the channel, priced now, with its token."""
    seal_key = await uow.keys.key(CART_SEAL)
    async with uow:
        connection = await uow.connection()
        cart_id = await queries.active_cart_id_for_customer(
            connection, customer_id, channel_id, now=uow.clock.now()
        )
        if cart_id is None:
            return None
        return await owned_cart(uow, cart_id, seal_key)


async def owned_cart(uow: UnitOfWork, cart_id: CartId, seal_key: bytes) -> CartResult | None:
    """A cart by id (access already checked), priced now, with its token unsealed."""
    connection = await uow.connection()
    cart = await queries.cart_by_id(connection, cart_id)
    if cart is None:
        return None
    return CartResult(await priced(uow, cart), token=await cart_token(uow, cart_id, seal_key))


async def cart_token(uow: UnitOfWork, cart_id: CartId, seal_key: bytes) -> str | None:
    """The cart's token, unsealed with the instance key (``core.carts.tokens``)."""
    secret = await queries.cart_secret(await uow.connection(), cart_id)
    return None if secret is None else tokens.unseal(secret[1], secret[0], seal_key)


async def priced(uow: UnitOfWork, cart: Cart) -> PricedCart:
    """``cart`` with its lines as they are now, priced in its channel."""
    connection = await uow.connection()
    channels = await channel_queries.channels_by_id(connection, [cart.channel_id])
    channel = channels[cart.channel_id]
    lines, info = await queries.lines_and_sale_info(uow, uow.dialect, cart.id, channel.id)
    result = await price_cart(uow.plugins, channel, replace(cart, lines=tuple(lines)), info)
    return await priced_with_delivery(uow, result)
