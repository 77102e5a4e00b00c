"""Choosing delivery options: one option per delivery group, by handle (issue 13).

A ``ChangeFunction`` run by ``core.carts.change.run_change`` (token, version and
idempotency guards, one transaction). The cart's groups are worked out under the
new selection (``core.delivery.groups``: a pick-up option that covers only some lines
splits them off into the next group, which the same request may choose for), every
choice is checked against them, and the selection is written by its own write step
(``core.carts.steps.select_delivery``), run at once rather than with the commit:
PostgreSQL would otherwise update the cart row twice in one statement (with the
touch), which it does not support. Only choices for groups that exist afterwards are
kept. The cart's delivery amount then follows (``core.carts.delivery_cost``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.carts.change import Change, run_change
from core.carts.idempotency import Operation
from core.carts.inputs import DEFAULT_LIMITS, Caller, CartLimits, CartResult, Guard
from core.carts.model import CartLine
from core.carts.pricing import line_totals, price_cart
from core.carts.steps import select_delivery, selection_values
from core.db.chain import Chain
from core.delivery import services as delivery
from core.delivery.model import DeliveryGroup, selection_pairs
from core.errors import DomainError, ErrorCode, Problem
from core.uow import UnitOfWork

FIELD = "selected_delivery_options"


@dataclass(frozen=True, slots=True)
class DeliveryChoice:
    """The option (by handle) a shopper chooses for a delivery group (by id)."""

    group_id: str
    handle: str


def choice_problems(choices: Sequence[DeliveryChoice]) -> list[Problem]:
    """At least one choice, and one per group."""
    problems: list[Problem] = []
    if not choices:
        problems.append(Problem(ErrorCode.REQUIRED, "Choose at least one option", FIELD))
    seen: set[str] = set()
    for index, choice in enumerate(choices):
        if choice.group_id in seen:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE,
                    "This delivery group is listed twice",
                    f"{FIELD}.{index}.delivery_group_id",
                )
            )
        seen.add(choice.group_id)
    return problems


def unmet_choices(
    groups: Sequence[DeliveryGroup],
    choices: Sequence[DeliveryChoice],
    before: dict[str, str],
) -> list[Problem]:
    """Choices naming a group the cart does not have, or a handle its group does not
    offer (``DELIVERY_OPTION_UNAVAILABLE`` when it was the group's choice before)."""
    by_id = {group.id: group for group in groups}
    problems: list[Problem] = []
    for index, choice in enumerate(choices):
        group = by_id.get(choice.group_id)
        if group is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_DELIVERY_GROUP,
                    "The cart has no such delivery group (read deliveryGroups again)",
                    f"{FIELD}.{index}.delivery_group_id",
                )
            )
        elif group.option(choice.handle) is None:
            offered_before = before.get(choice.group_id) == choice.handle
            problems.append(
                Problem(
                    ErrorCode.DELIVERY_OPTION_UNAVAILABLE
                    if offered_before
                    else ErrorCode.UNKNOWN_DELIVERY_OPTION,
                    "This delivery option is no longer offered for these lines"
                    if offered_before
                    else "This delivery group offers no such option",
                    f"{FIELD}.{index}.delivery_option_handle",
                )
            )
    return problems


async def select_delivery_options(
    uow: UnitOfWork,
    *,
    token: str,
    choices: Sequence[DeliveryChoice],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Choose delivery options for the cart's delivery groups.

    Raises ``DomainError``: the cart codes (``INVALID_CART_TOKEN``, ``CART_NOT_FOUND``,
    ``CART_EXPIRED``, ``CART_NOT_ACTIVE``, ``CART_VERSION_CONFLICT``,
    ``IDEMPOTENCY_KEY_REUSED``), ``REQUIRED``, ``DUPLICATE``, ``UNKNOWN_DELIVERY_GROUP``,
    ``UNKNOWN_DELIVERY_OPTION``, ``DELIVERY_OPTION_UNAVAILABLE``; ``PluginError``.
    """

    async def apply(change: Change) -> tuple[CartLine, ...]:
        cart = change.cart
        before = dict(cart.delivery_selection)
        wanted = {**before, **{choice.group_id: choice.handle for choice in choices}}
        # The goods amounts the options are priced on: the lines priced now.
        priced = await price_cart(change.uow.plugins, change.channel, cart, change.info)
        groups = await delivery.delivery_groups(
            await change.uow.connection(),
            change.uow.plugins,
            change.channel,
            cart,
            now=change.now,
            line_totals=line_totals(priced),
            selection=wanted,
        )
        problems = unmet_choices(groups, choices, before)
        if problems:
            raise DomainError(problems)
        kept = {group.id: group.selected.handle for group in groups if group.selected}
        await change.uow.run(
            Chain((select_delivery(),)),
            selection_values(
                "delivery",
                dialect=change.uow.dialect,
                cart_id=cart.id,
                read_version=cart.version,
                selection=kept,
            ),
        )
        change.cart = replace(cart, delivery_selection=selection_pairs(kept))
        return change.cart.lines

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.SELECT_DELIVERY,
        arguments=sorted([choice.group_id, choice.handle] for choice in choices),
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=choice_problems(choices),
    )
