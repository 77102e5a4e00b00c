"""Setting a cart's shipping and billing address (issue 13).

Each is a cart change run by ``core.carts.change.run_change``, so it has the guards of
every other change: the token, ``expected_version``, the idempotency key (a retry
answers with the cart and applies nothing again; the key with another address is
refused), an active and unexpired cart, version + 1 and ``CartChanged``. The address
is written by the change's touch (``core.carts.steps.touch_cart(addresses=True)``).
Stock is not touched.

``address=None`` clears the address: a shopper who picks "billing same as shipping"
again, or a device that wants to start the checkout form afresh, removes it the same
way it sets it. Setting an address equal to the current one is still a change (a new
version), as with the email: the client asked for it and gets one answer either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from core.carts.address_checks import MailingAddressInput, checked_address
from core.carts.addresses import MailingAddress
from core.carts.change import Change, run_change
from core.carts.idempotency import Operation
from core.carts.inputs import DEFAULT_LIMITS, Caller, CartLimits, CartResult, Guard
from core.carts.model import Cart, CartLine
from core.uow import UnitOfWork


async def set_shipping_address(
    uow: UnitOfWork,
    *,
    token: str,
    address: MailingAddressInput | None,
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Set (or with None clear) where the cart's order is to be shipped.

    Raises ``DomainError``: ``INVALID_CART_TOKEN``, ``CART_NOT_FOUND``, ``CART_EXPIRED``,
    ``CART_NOT_ACTIVE``, ``CART_VERSION_CONFLICT``, ``IDEMPOTENCY_KEY_REUSED``,
    ``INVALID``; for the address (paths ``address.<field>``): ``REQUIRED``, ``INVALID``,
    ``INVALID_POSTAL_CODE``, ``INVALID_COUNTRY_CODE``, ``INVALID_PHONE``.
    """
    return await _set_address(
        uow,
        token=token,
        address=address,
        caller=caller,
        guard=guard,
        limits=limits,
        operation=Operation.SET_SHIPPING_ADDRESS,
        put=lambda cart, value: replace(cart, shipping_address=value),
    )


async def set_billing_address(
    uow: UnitOfWork,
    *,
    token: str,
    address: MailingAddressInput | None,
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Set (or with None clear) whom the cart's order is invoiced to. Raises as
    ``set_shipping_address``."""
    return await _set_address(
        uow,
        token=token,
        address=address,
        caller=caller,
        guard=guard,
        limits=limits,
        operation=Operation.SET_BILLING_ADDRESS,
        put=lambda cart, value: replace(cart, billing_address=value),
    )


async def _set_address(
    uow: UnitOfWork,
    *,
    token: str,
    address: MailingAddressInput | None,
    caller: Caller,
    guard: Guard,
    limits: CartLimits,
    operation: Operation,
    put: Callable[[Cart, MailingAddress | None], Cart],
) -> CartResult:
    checked, problems = (None, []) if address is None else checked_address(address)

    async def apply(change: Change) -> tuple[CartLine, ...]:
        change.cart = put(change.cart, checked)
        change.addresses_changed = True
        return change.cart.lines

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=operation,
        # The address as it is stored: a retry spelling the country in lower case, or
        # with spaces around a field, is the same request.
        arguments=None if checked is None else checked.to_json(),
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=problems,
    )
