"""Merging a guest cart into a customer's cart on login (or ``cartMerge``).

One transaction, in this lock order: the customer (so that concurrent logins of one
customer, from any number of devices, merge one after another), the guest cart, the
customer's active cart in the guest cart's channel, then stock rows in key order.
Ordinary cart changes lock a single cart and then stock rows, so no cycle is possible.

- No active customer cart in that channel: the guest cart becomes the customer's.
- Otherwise each guest line is merged by the channel's policy (``MergePolicy``), the
  guest cart's stock moves to the surviving cart and is then held to match the merged
  quantities (capped by what the channel can give: the stock both carts held plus what
  is still free), the customer's cart takes the guest cart's shipping and billing
  address where it has none of its own, the guest cart is marked ``merged``
  (read-only, pointing at the survivor) and both carts get a new version.

A second merge of the same guest cart finds it merged and reports nothing, so a retried
or concurrent login never adds its lines twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import delete, select, update

from core.carts import queries, tokens
from core.carts.change import Change, touch, write_line
from core.carts.delivery_cost import priced_with_delivery
from core.carts.events import CartChanged
from core.carts.inputs import DEFAULT_LIMITS, CartLimits, ordered, token_problems
from core.carts.model import (
    Cart,
    CartLine,
    CartStatus,
    MergeAction,
    MergeEntry,
    MergeReport,
    PricedCart,
)
from core.carts.pricing import price_cart
from core.carts.reading import cart_token, owned_cart
from core.channels.model import MergePolicy
from core.customers.tables import CustomerRow
from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.ids import CartId, CustomerId
from core.inventory import holds
from core.inventory.model import OwnerKind
from core.keys import CART_SEAL
from core.uow import UnitOfWork

_carts = queries.carts_table
_lines = queries.lines_table
_customers = table_of(CustomerRow)


@dataclass(frozen=True, slots=True)
class MergeResult:
    cart: PricedCart
    # The surviving cart's token (unsealed with the instance key), for the device.
    token: str | None
    report: MergeReport | None


async def merge_guest_cart(
    uow: UnitOfWork,
    *,
    customer_id: CustomerId,
    guest_token: str,
    limits: CartLimits = DEFAULT_LIMITS,
) -> MergeResult:
    """Merge the guest cart of ``guest_token`` into the customer's cart, in its own
    transaction (``cartMerge``). Raises as ``merge_into_customer``."""
    check_guest_token(guest_token)
    seal_key = await uow.keys.key(CART_SEAL)
    async with uow:
        await lock_customer(uow, customer_id)
        result = await merge_into_customer(
            uow, customer_id=customer_id, guest_token=guest_token, limits=limits, seal_key=seal_key
        )
        await uow.commit()
    return result


def check_guest_token(guest_token: str) -> None:
    problems = token_problems(guest_token, "cart_token")
    if problems:
        raise DomainError(problems)


async def lock_customer(uow: UnitOfWork, customer_id: CustomerId) -> None:
    """Serialise a customer's merges (PostgreSQL; SQLite writers are serialised anyway)."""
    await uow.session.execute(
        select(_customers.c.id).where(_customers.c.id == customer_id).with_for_update()
    )


async def merge_into_customer(
    uow: UnitOfWork,
    *,
    customer_id: CustomerId,
    guest_token: str,
    limits: CartLimits,
    seal_key: bytes,
) -> MergeResult:
    """Merge inside the caller's transaction, which must already hold the customer's row
    (``lock_customer``, or the guarded update of a login); the caller commits.

    Raises ``DomainError``: ``INVALID_CART_TOKEN``, ``CART_NOT_FOUND`` (no such cart, or
    another customer's).
    """
    check_guest_token(guest_token)
    connection = await uow.connection()
    found = await queries.cart_for_update(uow, tokens.digest(guest_token))
    if found is None or not tokens.same_digest(found[0].cart_token_digest, guest_token):
        raise _not_found()
    row, channel = found
    guest = queries.cart_from_row(row, "cart_")
    if guest.customer_id not in (None, customer_id):
        raise _not_found()
    now = uow.clock.now()
    survivor_id = await queries.active_cart_id_for_customer(
        connection, customer_id, channel.id, now=now, lock=True
    )
    if guest.status is not CartStatus.ACTIVE or guest.expires_at <= now:
        # Merged already (a retried or concurrent login), or lapsed: nothing to add.
        target = survivor_id or guest.merged_into_id
        return await _answer(uow, target, seal_key)
    guest_lines = (await queries.lines_of(connection, [guest.id]))[guest.id]
    guest = replace(guest, lines=tuple(guest_lines))
    if survivor_id is None or survivor_id == guest.id:
        # The guest cart becomes the customer's.
        await connection.execute(
            update(_carts).where(_carts.c.id == guest.id).values(customer_id=customer_id)
        )
        change = Change(uow, replace(guest, customer_id=customer_id), channel, {}, limits, now)
        change.info = await queries.sale_info(
            connection, channel.id, [line.variant_id for line in guest.lines]
        )
        cart = touch(change, change.cart)
        await change.flush()
        report = MergeReport(
            guest_cart_id=guest.id,
            cart_id=guest.id,
            policy=channel.cart_merge_policy.value,
            entries=tuple(
                MergeEntry(line.variant_id, MergeAction.ADDED, line.quantity, 0, line.quantity)
                for line in guest.lines
            )
            if survivor_id is None
            else (),
        )
        uow.record(CartChanged(cart.id, cart.version))
        priced = await priced_with_delivery(
            uow, await price_cart(uow.plugins, channel, cart, change.info)
        )
        return MergeResult(priced, guest_token, report)
    survivor = await queries.cart_by_id(connection, survivor_id)
    assert survivor is not None
    variant_ids = sorted(
        {line.variant_id for line in guest.lines} | {line.variant_id for line in survivor.lines}
    )
    change = Change(
        uow,
        survivor,
        channel,
        await queries.sale_info(connection, channel.id, variant_ids),
        limits,
        now,
    )
    await holds.transfer(uow, OwnerKind.CART, str(guest.id), str(survivor.id))
    stock = await change.lock([line.variant_id for line in guest.lines], elsewhere=True)
    entries: list[MergeEntry] = []
    by_variant = {line.variant_id: line for line in survivor.lines}
    for line in guest.lines:
        entry, quantity = _decide(
            channel.cart_merge_policy,
            line,
            by_variant.get(line.variant_id),
            change,
            stock.held.get(line.variant_id, 0) + stock.available(line.variant_id),
        )
        entries.append(entry)
        await holds.set_held(
            uow,
            stock,
            line.variant_id,
            quantity,
            expires_at=change.hold_until,
            required=0,
        )
        if entry.action is MergeAction.KEPT:
            continue
        if quantity == 0:
            # Capped to nothing: the customer's line goes, as the report says.
            mine = by_variant.pop(line.variant_id, None)
            if mine is not None:
                await uow.session.execute(delete(_lines).where(_lines.c.id == mine.id))
            continue
        price = change.info[line.variant_id].base_price
        by_variant[line.variant_id] = await write_line(
            change,
            by_variant.get(line.variant_id),
            line.variant_id,
            quantity,
            None if price is None else price.minor_units,
        )
    # The guest's holds came with their own, earlier expiry: push every hold of the
    # cart to the new one now, whenever the cart's own were last pushed.
    survivor = replace(survivor, lines=ordered(by_variant.values()), holds_until=None)
    with_addresses = _with_addresses(survivor, guest)
    change.addresses_changed = with_addresses != survivor
    cart = touch(change, with_addresses)
    await change.flush()
    await connection.execute(
        update(_carts)
        .where(_carts.c.id == guest.id)
        .values(
            status=CartStatus.MERGED.value,
            merged_into_id=survivor.id,
            version=guest.version + 1,
            updated_at=now,
            customer_id=customer_id,
        )
    )
    uow.record(CartChanged(guest.id, guest.version + 1))
    uow.record(CartChanged(cart.id, cart.version))
    priced = await priced_with_delivery(
        uow, await price_cart(uow.plugins, channel, cart, change.info)
    )
    token = await cart_token(uow, cart.id, seal_key)
    report = MergeReport(
        guest_cart_id=guest.id,
        cart_id=cart.id,
        policy=channel.cart_merge_policy.value,
        entries=tuple(entries),
    )
    return MergeResult(priced, token, report)


def _with_addresses(survivor: Cart, guest: Cart) -> Cart:
    """The customer's cart keeps its own shipping and billing address, and takes the
    guest cart's where it has none (the shopper typed it on this device before logging in)."""
    return replace(
        survivor,
        shipping_address=survivor.shipping_address or guest.shipping_address,
        billing_address=survivor.billing_address or guest.billing_address,
    )


def _decide(
    policy: MergePolicy,
    guest: CartLine,
    mine: CartLine | None,
    change: Change,
    can_have: int,
) -> tuple[MergeEntry, int]:
    """What to do with one guest line, and the surviving line's quantity (0: none)."""
    before = mine.quantity if mine else 0
    info = change.info.get(guest.variant_id)
    if info is None or info.base_price is None:
        keep = before
        return (
            MergeEntry(
                guest.variant_id,
                MergeAction.DROPPED,
                guest.quantity,
                before,
                keep,
                "not sold in this channel",
            ),
            keep,
        )
    if mine is None:
        wanted = guest.quantity
        action = MergeAction.ADDED
    elif policy is MergePolicy.SUM:
        wanted = before + guest.quantity
        action = MergeAction.INCREASED
        # Summing never takes away what the customer's line already had.
        can_have = max(can_have, before)
    elif policy is MergePolicy.KEEP_CUSTOMER or (
        policy is MergePolicy.NEWEST and mine.updated_at >= guest.updated_at
    ):
        return (
            MergeEntry(guest.variant_id, MergeAction.KEPT, guest.quantity, before, before),
            before,
        )
    else:  # KEEP_GUEST, or NEWEST with the guest line changed last
        wanted = guest.quantity
        action = MergeAction.REPLACED
    limit = min(change.limits.max_line_quantity, max(can_have, 0))
    if wanted > limit:
        reason = (
            f"only {can_have} available"
            if can_have < change.limits.max_line_quantity
            else f"at most {change.limits.max_line_quantity} per line"
        )
        capped = max(limit, 0)
        return (
            MergeEntry(
                guest.variant_id, MergeAction.CAPPED, guest.quantity, before, capped, reason
            ),
            capped,
        )
    return MergeEntry(guest.variant_id, action, guest.quantity, before, wanted), wanted


async def _answer(uow: UnitOfWork, cart_id: CartId | None, seal_key: bytes) -> MergeResult:
    """Nothing to merge: the customer's cart as it is."""
    found = None if cart_id is None else await owned_cart(uow, cart_id, seal_key)
    if found is None:
        raise _not_found()
    return MergeResult(found.cart, found.token, None)


def _not_found() -> DomainError:
    return DomainError.single(
        ErrorCode.CART_NOT_FOUND, "There is no cart with this token", "cart_token"
    )
