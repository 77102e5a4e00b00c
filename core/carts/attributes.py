"""A cart's attributes: key-value pairs a buyer attaches for plugins to read (issue 15).

A storefront sets them (``cartAttributesUpdate``), the till passes its own; the
pricing plugins see them as ``PricingContext.attributes`` (a loyalty plugin reads
``loyalty.redeemPoints``, say) and checkout copies them onto the order. Keys are
namespaced by convention (``<plugin>.<name>``); each plugin reads the keys it owns.

An update replaces the whole set, in the order given; an empty list clears it. The
set is one JSON object in ``carts.attributes``, written by its own step
(``core.carts.steps.set_attributes``) in a ``ChangeFunction`` run by
``core.carts.change.run_change`` (token, version and idempotency guards, one
transaction), so the cart is re-priced with the new attributes before it commits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from core.carts.change import Change, run_change
from core.carts.idempotency import Operation
from core.carts.inputs import DEFAULT_LIMITS, Caller, CartLimits, CartResult, Guard
from core.carts.model import CartLine
from core.carts.steps import json_values, set_attributes
from core.db.chain import Chain
from core.errors import ErrorCode, Problem
from core.uow import UnitOfWork

FIELD = "attributes"
MAX_ATTRIBUTES: Final = 30
MAX_VALUE_LENGTH: Final = 1000
# A letter or digit, then letters, digits and ". _ : -", 64 characters at most.
KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


@dataclass(frozen=True, slots=True)
class Attribute:
    """One key-value pair a buyer attached."""

    key: str
    value: str


def attribute_problems(attributes: Sequence[Attribute], field: str = FIELD) -> list[Problem]:
    """At most ``MAX_ATTRIBUTES``; each key well formed and given once; values not
    longer than ``MAX_VALUE_LENGTH``."""
    problems: list[Problem] = []
    if len(attributes) > MAX_ATTRIBUTES:
        problems.append(
            Problem(
                ErrorCode.TOO_MANY_ATTRIBUTES,
                f"At most {MAX_ATTRIBUTES} attributes can be attached",
                field,
            )
        )
    seen: set[str] = set()
    for index, attribute in enumerate(attributes):
        if not KEY_PATTERN.fullmatch(attribute.key):
            problems.append(
                Problem(
                    ErrorCode.INVALID_ATTRIBUTE,
                    "A key is 1 to 64 letters, digits and . _ : - (starting with a letter "
                    "or digit)",
                    f"{field}.{index}.key",
                )
            )
        elif attribute.key in seen:
            problems.append(
                Problem(ErrorCode.DUPLICATE, "This key is given twice", f"{field}.{index}.key")
            )
        seen.add(attribute.key)
        if len(attribute.value) > MAX_VALUE_LENGTH:
            problems.append(
                Problem(
                    ErrorCode.INVALID_ATTRIBUTE,
                    f"A value is at most {MAX_VALUE_LENGTH} characters",
                    f"{field}.{index}.value",
                )
            )
    return problems


async def update_attributes(
    uow: UnitOfWork,
    *,
    token: str,
    attributes: Sequence[Attribute],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Replace the cart's attributes with ``attributes`` (empty: clear them).

    Raises ``DomainError``: the cart codes (``INVALID_CART_TOKEN``, ``CART_NOT_FOUND``,
    ``CART_EXPIRED``, ``CART_NOT_ACTIVE``, ``CART_VERSION_CONFLICT``,
    ``IDEMPOTENCY_KEY_REUSED``), ``TOO_MANY_ATTRIBUTES``, ``INVALID_ATTRIBUTE``,
    ``DUPLICATE``; ``PluginError`` when a pricing plugin fails on them.
    """
    pairs = tuple((attribute.key, attribute.value) for attribute in attributes)

    async def apply(change: Change) -> tuple[CartLine, ...]:
        cart = change.cart
        await change.uow.run(
            Chain((set_attributes(),)),
            json_values(
                "attributes",
                dialect=change.uow.dialect,
                cart_id=cart.id,
                read_version=cart.version,
                value=dict(pairs),
            ),
        )
        change.cart = replace(cart, attributes=pairs)
        return change.cart.lines

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.UPDATE_ATTRIBUTES,
        arguments=[list(pair) for pair in pairs],
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=attribute_problems(attributes),
        unchanged_if=lambda cart: cart.attributes == pairs,
    )
