"""Changing a cart's lines and email: add, set quantities, remove, clear.

Each is a ``ChangeFunction`` run by ``core.carts.change.run_change``; the common add
is first tried the faster way (``core.carts.fast_add``), which leaves the same rows,
events and answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy import delete

from core.carts import fast_add
from core.carts.change import Change, run_change, write_line
from core.carts.idempotency import Operation, fingerprint
from core.carts.inputs import (
    DEFAULT_LIMITS,
    Caller,
    CartLimits,
    CartResult,
    Guard,
    LineInput,
    LineQuantity,
    cart_email_problems,
    first_lines,
    line_field,
    line_problems,
    line_quantity_problems,
    merge_inputs,
    ordered,
    refused_on,
    too_many_lines,
)
from core.carts.model import CartLine
from core.carts.queries import lines_table
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CartLineId, VariantId
from core.inventory import holds
from core.uow import UnitOfWork


async def add_lines(
    uow: UnitOfWork,
    *,
    token: str,
    lines: Sequence[LineInput],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Add quantities (a variant already in the cart increments its line).

    Raises ``DomainError``: ``INVALID_CART_TOKEN``, ``CART_NOT_FOUND``, ``CART_EXPIRED``,
    ``CART_NOT_ACTIVE``, ``CART_VERSION_CONFLICT``, ``IDEMPOTENCY_KEY_REUSED``,
    ``UNKNOWN_VARIANT``, ``NOT_SOLD_IN_CHANNEL``, ``INVALID_QUANTITY``, ``INSUFFICIENT_STOCK``,
    ``TOO_MANY_LINES``, ``REQUIRED`` (no lines).
    """
    problems = line_quantity_problems(lines, limits, zero=False)
    wanted = merge_inputs(lines)
    # What an idempotency key's record is compared with on a retry.
    arguments = sorted((int(v), q) for v, q in wanted.items())
    if not problems and len(wanted) == 1 and fast_add.applies(uow):
        ((variant_id, quantity),) = wanted.items()
        made = await fast_add.add(
            uow,
            token=token,
            caller=caller,
            guard=guard,
            lines=lines,
            variant_id=variant_id,
            quantity=quantity,
            limits=limits,
            fingerprint=fingerprint(Operation.ADD_LINES, arguments),
        )
        if made is not None:
            return made

    async def apply(change: Change) -> tuple[CartLine, ...]:
        found = line_problems(lines, change.info)
        if found:
            raise DomainError(found)
        return await add(change, wanted, first_lines(lines))

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.ADD_LINES,
        arguments=arguments,
        variant_ids=wanted,
        apply=apply,
        limits=limits,
        problems=problems,
    )


async def add(
    change: Change, wanted: Mapping[VariantId, int], at: Mapping[VariantId, int]
) -> tuple[CartLine, ...]:
    """Add quantities to lines (new lines for new variants); the stock for them is held
    after pricing (``hold_added``). ``at``: the input line of each variant
    (``first_lines``), which a refusal of its quantity names."""
    cart = change.cart
    existing = {line.variant_id: line for line in cart.lines}
    new_variants = [v for v in wanted if v not in existing]
    if len(existing) + len(new_variants) > change.limits.max_lines:
        raise DomainError([too_many_lines(change.limits)])
    for variant_id, quantity in wanted.items():
        line = existing.get(variant_id)
        if quantity + (line.quantity if line else 0) > change.limits.max_line_quantity:
            raise DomainError.single(
                ErrorCode.INVALID_QUANTITY,
                f"A line holds at most {change.limits.max_line_quantity}",
                line_field(at, variant_id, "quantity"),
            )
    by_variant = dict(existing)
    for variant_id, quantity in sorted(wanted.items()):
        line = existing.get(variant_id)
        total = quantity + (line.quantity if line else 0)
        price = change.info[variant_id].base_price
        by_variant[variant_id] = await write_line(
            change, line, variant_id, total, price.minor_units if price else None
        )
    change.stock_work.append(lambda: hold_added(change, wanted, existing, at))
    return ordered(by_variant.values())


async def hold_added(
    change: Change,
    wanted: Mapping[VariantId, int],
    existing: Mapping[VariantId, CartLine],
    at: Mapping[VariantId, int],
) -> None:
    """Hold the stock for what was added: last in the transaction, so that the stock rows
    every add of a popular variant must lock are held only until the commit right after.
    The rows are locked and the stock planned across the channel's locations."""
    stock = await change.lock(wanted)
    for variant_id, quantity in sorted(wanted.items()):
        line = existing.get(variant_id)
        total = quantity + (line.quantity if line else 0)
        await hold_line(change, stock, variant_id, total, quantity, at)


async def hold_line(
    change: Change,
    stock: holds.HeldStock,
    variant_id: VariantId,
    quantity: int,
    increase: int,
    at: Mapping[VariantId, int],
) -> None:
    """Hold ``quantity`` units of a line for the cart: what it held that lapsed is taken
    again where the units are still there, and ``increase`` more must be found, or
    ``INSUFFICIENT_STOCK`` names the input line (``at``) that asked for them."""
    with refused_on(line_field(at, variant_id, "quantity")):
        await holds.set_held(
            change.uow,
            stock,
            variant_id,
            quantity,
            expires_at=change.hold_until,
            required=min(quantity, stock.held.get(variant_id, 0) + increase),
        )


async def update_lines(
    uow: UnitOfWork,
    *,
    token: str,
    lines: Sequence[LineQuantity],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Set line quantities (0 removes the line), holding or giving back stock to match.

    Raises ``DomainError`` as ``add_lines``, and ``UNKNOWN_LINE`` for a line not in the cart.
    """
    problems = line_quantity_problems(lines, limits, zero=True)
    seen: set[CartLineId] = set()
    for index, line in enumerate(lines):
        if line.line_id in seen:
            problems.append(
                Problem(ErrorCode.DUPLICATE, "This line is listed twice", f"lines.{index}.line_id")
            )
        seen.add(line.line_id)
    quantities = {line.line_id: line.quantity for line in lines}

    async def apply(change: Change) -> tuple[CartLine, ...]:
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
        at = {by_id[line.line_id].variant_id: index for index, line in enumerate(lines)}
        return await set_quantities(change, targets, at)

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.UPDATE_LINES,
        arguments=sorted((int(k), q) for k, q in quantities.items()),
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=problems,
    )


async def set_quantities(
    change: Change, targets: Mapping[VariantId, int], at: Mapping[VariantId, int]
) -> tuple[CartLine, ...]:
    """Lines of ``targets`` get exactly those quantities (0 deletes), stock to match.
    ``at``: the input line of each variant, which a refusal of its quantity names."""
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
                line_field(at, variant_id, "quantity"),
            )
        await hold_line(change, stock, variant_id, quantity, max(0, quantity - line.quantity), at)
        price = info.base_price if info else None
        kept = line.unit_price_when_added
        by_variant[variant_id] = await write_line(
            change,
            line,
            variant_id,
            quantity,
            price.minor_units if price else (kept.minor_units if kept else None),
        )
    if removed:
        await holds.release(change.uow, stock, removed)
        await change.uow.session.execute(
            delete(lines_table).where(lines_table.c.id.in_([by_variant[v].id for v in removed]))
        )
        for variant_id in removed:
            del by_variant[variant_id]
    return ordered(by_variant.values())


async def remove_lines(
    uow: UnitOfWork,
    *,
    token: str,
    line_ids: Sequence[CartLineId],
    caller: Caller = Caller(),
    guard: Guard = Guard(),
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Remove lines and give back their stock. Raises as ``update_lines``."""
    problems = []
    if not line_ids:
        problems.append(Problem(ErrorCode.REQUIRED, "Give at least one line", "line_ids"))

    async def apply(change: Change) -> tuple[CartLine, ...]:
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
        removed = {by_id[line_id].variant_id: 0 for line_id in line_ids}
        return await set_quantities(change, removed, {})

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.REMOVE_LINES,
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
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Remove every line and give back all the cart's stock."""

    async def apply(change: Change) -> tuple[CartLine, ...]:
        return await set_quantities(change, {line.variant_id: 0 for line in change.cart.lines}, {})

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.CLEAR,
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
    limits: CartLimits = DEFAULT_LIMITS,
) -> CartResult:
    """Set (or with "" clear) the cart's email. Raises ``INVALID_EMAIL`` and the cart codes."""

    async def apply(change: Change) -> tuple[CartLine, ...]:
        change.cart = replace(change.cart, email=email)
        return change.cart.lines

    return await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.UPDATE_EMAIL,
        arguments=email,
        variant_ids=(),
        apply=apply,
        limits=limits,
        problems=cart_email_problems(email),
    )
