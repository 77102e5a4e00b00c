"""Resuming a cart in another channel (web to mobile, say): re-priced and held there."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.carts import queries
from core.carts.change import Change, run_change, write_line
from core.carts.idempotency import Operation
from core.carts.inputs import DEFAULT_LIMITS, Caller, CartLimits, CartResult, Guard
from core.carts.model import CartLine
from core.channels import queries as channel_queries
from core.errors import DomainError, ErrorCode
from core.ids import CartLineId, ChannelId, VariantId
from core.inventory import holds
from core.uow import UnitOfWork


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
    limits: CartLimits = DEFAULT_LIMITS,
) -> ResumeResult:
    """Move the cart to another channel (web to mobile, say), re-priced line by line there.

    The cart's stock is given back and held again from the new channel's locations.
    Lines stay as they are; those the new channel does not sell, or cannot hold in full,
    are reported (and show as cart problems) for the shopper to decide. Resuming in the
    cart's own channel changes nothing.
    """
    reports: list[ResumeReport] = []

    async def apply(change: Change) -> tuple[CartLine, ...]:
        connection = await change.uow.connection()
        channels = await channel_queries.channels_by_id(connection, [channel_id])
        target = channels.get(channel_id)
        if target is None:
            raise DomainError.single(
                ErrorCode.UNKNOWN_CHANNEL, "There is no such channel", "channel"
            )
        change.channel = target
        # Every hold is taken again below, for the new channel's lifetime: the cart's
        # hold expiry is that one now, earlier or later (``touch`` sets it).
        change.cart = replace(change.cart, channel_id=target.id, holds_until=None)
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
                await write_line(change, line, line.variant_id, line.quantity, price.minor_units)
            )
        return tuple(lines)

    result = await run_change(
        uow,
        token=token,
        caller=caller,
        guard=guard,
        operation=Operation.RESUME,
        arguments=int(channel_id),
        variant_ids=(),
        apply=apply,
        limits=limits,
        unchanged_if=lambda cart: cart.channel_id == channel_id,
    )
    return ResumeResult(result, tuple(reports))
