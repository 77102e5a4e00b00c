"""The change engine: every change of an existing cart is one transaction (``run_change``).

1. The cart row is locked by its token digest, together with its channel (one
   statement). Whoever holds the lock changes the cart; a second device's request
   waits and then works on the version the first one left, so concurrent adds are
   atomic increments and no interleaving loses a line.
2. With an idempotency key, the request is recorded (``core.carts.idempotency``)
   before anything else is applied. A retry finds the record, applies nothing and
   answers with the cart; the same key with other arguments is refused.
3. With ``expected_version``, a stale version is refused (``CART_VERSION_CONFLICT``).
4. The change itself (a ``ChangeFunction``): lines, and the stock the cart holds for
   them (``core.inventory.holds``: locked in (variant, location) order, topped up or
   given back, never beyond what the channel may sell).
5. ``touch``: version + 1, ``updated_at``, ``expires_at`` (the channel's cart
   lifetime), the email and, when the change set one, the addresses; the cart's
   reservations pushed to the channel's reservation lifetime; ``CartChanged``
   recorded, the cart priced through the pricing hook (a failing plugin rolls it all
   back), the stock taken last, and the commit, which runs the change's deferred steps
   (line updates, the touch, the hold extension) with the outbox rows as one statement
   on PostgreSQL.

Errors are ``DomainError`` (nothing written). The GraphQL layer answers them with the
cart as it is, so a client can rebase. The common add has a faster way to the same
result (``core.carts.fast_add``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from core.carts import queries, tokens
from core.carts.delivery_cost import priced_with_delivery
from core.carts.events import CartChanged
from core.carts.idempotency import Operation, earlier_request, fingerprint, key_digest
from core.carts.inputs import (
    Caller,
    CartLimits,
    CartResult,
    Guard,
    cart_not_active,
    cart_not_found,
    guard_problems,
    may_use,
    token_problems,
)
from core.carts.model import Cart, CartLine, CartStatus, SaleInfo
from core.carts.pricing import price_cart
from core.carts.reading import priced
from core.carts.steps import (
    address_values,
    claim_key,
    claim_values,
    insert_line,
    line_values,
    touch_cart,
    touch_values,
    update_line,
)
from core.channels.model import Channel
from core.db.chain import Chain, Step
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartLineId, VariantId
from core.inventory import holds
from core.inventory.model import OwnerKind
from core.inventory.steps import extend_holds
from core.money import Money
from core.uow import UnitOfWork

# A busy cart pushes its holds' expiry at most this often (see ``touch``).
HOLD_REFRESH = timedelta(minutes=1)


@dataclass(slots=True)
class Change:
    """What a change function works with, inside the cart's transaction."""

    uow: UnitOfWork
    cart: Cart
    channel: Channel
    info: dict[VariantId, SaleInfo]
    limits: CartLimits
    now: datetime
    stock: holds.HeldStock | None = None
    # Stock to hold once the cart's own rows are written and the cart is priced.
    stock_work: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Write steps nothing reads back before the commit: run with it (``flush``).
    steps: list[Step] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    # The change set the cart's shipping or billing address: ``touch`` writes both.
    addresses_changed: bool = False

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

    def later(self, step: Step, values: dict[str, Any]) -> None:
        """Run ``step`` with the commit (or the next ``flush``)."""
        self.steps.append(step)
        self.values.update(values)

    def pending(self) -> Chain:
        return Chain(tuple(self.steps))

    async def flush(self) -> None:
        """Run the deferred steps now (for a caller that commits itself)."""
        if self.steps:
            await self.uow.run(self.pending(), self.values)
            self.steps, self.values = [], {}


ChangeFunction = Callable[[Change], Awaitable[tuple[CartLine, ...]]]


async def run_change(
    uow: UnitOfWork,
    *,
    token: str,
    caller: Caller,
    guard: Guard,
    operation: Operation,
    arguments: Any,
    variant_ids: Collection[VariantId],
    apply: ChangeFunction,
    limits: CartLimits,
    problems: Sequence[Problem] = (),
    unchanged_if: Callable[[Cart], bool] | None = None,
) -> CartResult:
    """Lock the cart of ``token``, check the guards, ``apply`` the change, touch, price,
    hold the stock and commit (see the module docstring)."""
    problems = [*token_problems(token), *guard_problems(guard), *problems]
    if problems:
        raise DomainError(problems)
    async with uow:
        found = await queries.cart_for_update(uow, tokens.digest(token))
        if found is None or not tokens.same_digest(found[0].cart_token_digest, token):
            raise cart_not_found()
        row, channel = found
        cart = queries.cart_from_row(row, "cart_")
        if not may_use(cart, caller):
            raise cart_not_found()
        now = uow.clock.now()
        lines_and_info: tuple[list[CartLine], dict[VariantId, SaleInfo]] | None = None
        if guard.idempotency_key is not None:
            digest = key_digest(f"cart:{cart.id}", guard.idempotency_key)
            arguments_fingerprint = fingerprint(operation, arguments)
            values = claim_values(
                key_digest=digest,
                cart_id=cart.id,
                operation=operation.value,
                fingerprint=arguments_fingerprint,
                cart_version=cart.version + 1,
                now=now,
            )
            claim = uow.statements.chain_statements(Chain((claim_key(uow.dialect),)), as_one=False)[
                0
            ]
            if uow.dialect == "postgresql":
                # The key and the lines in one statement: a round trip fewer per change.
                claimed, found_lines, found_info = await queries.claim_then_lines(
                    uow, claim, values, cart.id, channel.id, variant_ids
                )
                lines_and_info = (found_lines, found_info)
            else:
                claimed = bool(await uow.fetch(claim, values))
            if not claimed:
                await earlier_request(uow, digest, operation, arguments_fingerprint)
                await uow.rollback()
                return CartResult(await priced(uow, cart), replayed=True)
        if cart.status is not CartStatus.ACTIVE:
            raise cart_not_active(cart.status)
        if cart.expires_at <= now:
            raise DomainError.single(ErrorCode.CART_EXPIRED, "This cart has expired", "token")
        if guard.expected_version is not None and guard.expected_version != cart.version:
            raise DomainError.single(
                ErrorCode.CART_VERSION_CONFLICT,
                f"The cart is at version {cart.version}, not {guard.expected_version}",
                "expected_version",
            )
        if unchanged_if is not None and unchanged_if(cart):
            await uow.rollback()
            return CartResult(await priced(uow, cart))
        lines, info = lines_and_info or await queries.lines_and_sale_info(
            uow, uow.dialect, cart.id, channel.id, variant_ids
        )
        cart = replace(cart, lines=tuple(lines))
        change = Change(uow, cart, channel, info, limits, now)
        new_lines = await apply(change)
        cart = touch(change, replace(change.cart, lines=new_lines))
        # Priced (a plugin may fail) before the stock is taken: from taking it to the
        # commit nothing else runs, so other adds of the variant wait as little as possible.
        result = await price_cart(uow.plugins, change.channel, cart, change.info)
        result = await priced_with_delivery(uow, result)
        uow.record(CartChanged(cart.id, cart.version))
        for work in change.stock_work:
            await work()
        await uow.commit(change.pending(), change.values)
    return CartResult(result)


def touch(change: Change, cart: Cart) -> Cart:
    """The new version and lifetime (with the email, and the addresses when
    ``change.addresses_changed``), and the cart's stock held for longer (deferred steps
    of ``change``).

    Pushing every reservation of the cart to the new hold expiry is skipped while the
    last push is less than ``HOLD_REFRESH`` old: a busy cart does it once a minute, and
    its holds still last at least the channel's reservation lifetime less a minute
    after its last change. (Reservations taken by this change get the full lifetime.)
    """
    expires_at = change.now + timedelta(seconds=change.channel.cart_ttl_seconds)
    holds_until = cart.holds_until
    if holds_due(holds_until, change.hold_until):
        change.later(
            extend_holds(),
            {
                "stock_owner_kind": OwnerKind.CART.value,
                "stock_owner_id": str(cart.id),
                "hold_until": change.hold_until,
            },
        )
        holds_until = change.hold_until
    values = touch_values(
        cart_id=cart.id,
        read_version=cart.version,
        now=change.now,
        expires_at=expires_at,
        holds_until=holds_until,
        channel_id=cart.channel_id,
        email=cart.email,
    )
    if change.addresses_changed:
        values.update(address_values(shipping=cart.shipping_address, billing=cart.billing_address))
    change.later(touch_cart(addresses=change.addresses_changed), values)
    return replace(
        cart,
        version=cart.version + 1,
        updated_at=change.now,
        expires_at=expires_at,
        holds_until=holds_until,
    )


def holds_due(holds_until: datetime | None, hold_until: datetime) -> bool:
    """Whether a cart's holds are to be pushed to ``hold_until`` (see ``touch``)."""
    return holds_until is None or holds_until < hold_until - HOLD_REFRESH


async def write_line(
    change: Change,
    line: CartLine | None,
    variant_id: VariantId,
    quantity: int,
    unit_price_minor: int | None,
) -> CartLine:
    """A new line now (its id is needed), or a line's new quantity with the commit."""
    currency = change.channel.currency
    price = None if unit_price_minor is None else Money(unit_price_minor, currency)
    written = {
        "quantity": quantity,
        "unit_price_minor": unit_price_minor,
        "currency": currency,
        "updated_at": change.now,
    }
    if line is None:
        inserted = await change.uow.run(
            Chain((insert_line(),)),
            line_values(
                "line",
                {
                    **written,
                    "cart_id": change.cart.id,
                    "variant_id": variant_id,
                    "created_at": change.now,
                },
            ),
        )
        first = inserted["line"].first
        assert first is not None  # a required step
        return CartLine(CartLineId(first.id), variant_id, quantity, price, change.now, change.now)
    name = f"line{len(change.steps)}"
    change.later(
        update_line(name),
        line_values(name, {**written, "line_id": line.id, "read_quantity": line.quantity}),
    )
    return replace(line, quantity=quantity, unit_price_when_added=price, updated_at=change.now)
