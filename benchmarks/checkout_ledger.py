"""C1's checks: answers, a retried checkout, and that every checkout placed one order.

wrk counts the answers it received (``answered_ok``: status 200, ``errors: []``, no
top-level errors). As for M1 (``benchmarks.accounting``), the requests in flight when a
wrk run ends are not counted by wrk but may still be applied. Over a query's wrk runs,
with ``placed`` the growth of the orders of the ``checkout`` channel read from the
database, outside the app and in one statement (one snapshot):

- ``answered_ok <= placed <= answered_ok + connections x wrk runs + failed``;
- every order is of a cart of its own, and each such cart is completed: one order per
  cart, never two;
- the units the orders reserved (their allocations) equal the units they ordered;
- the units reserved at the stock levels of C1's variants equal the orders' allocations
  plus the holds of the carts not checked out yet, and no level reserves more than it
  has on hand: nothing was oversold.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import httpx
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.carts import new_key
from benchmarks.checkouts import CheckoutCarts, checkout_body
from benchmarks.queries import C1, AnswerError, answer_problems, response_json
from benchmarks.wrk import WrkRun
from core.carts.model import CartStatus
from core.carts.tables import CartRow
from core.db import table_of
from core.inventory.model import OwnerKind
from core.inventory.tables import ReservationRow, StockLevelRow
from core.orders.tables import OrderLineRow, OrderRow

_orders = table_of(OrderRow)
_order_lines = table_of(OrderLineRow)
_carts = table_of(CartRow)
_reservations = table_of(ReservationRow)
_levels = table_of(StockLevelRow)

_SETTLE_SECONDS: Final = 1.0
_SETTLE_TIMEOUT_SECONDS: Final = 60.0


@dataclass(frozen=True, slots=True)
class CheckoutTotals:
    """What the database says about C1's channel and variants, read outside the app."""

    orders: int
    ordered_carts: int  # distinct carts of those orders
    completed_carts: int
    ordered_units: int  # over the orders' lines
    allocated: int  # units reserved for orders (of C1's variants)
    held_by_carts: int  # units reserved for carts (of C1's variants)
    reserved: int  # units reserved at the stock levels of C1's variants
    oversold_levels: int  # levels reserving more than on hand, or less than nothing

    def problems(self) -> list[str]:
        problems = []
        if not self.orders == self.ordered_carts == self.completed_carts:
            problems.append(
                f"C1: {self.orders} orders of {self.ordered_carts} carts, "
                f"{self.completed_carts} carts completed (expected one order per cart)"
            )
        if self.allocated != self.ordered_units:
            problems.append(
                f"C1: the orders ordered {self.ordered_units} units but reserved {self.allocated}"
            )
        if self.reserved != self.allocated + self.held_by_carts:
            problems.append(
                f"C1: {self.reserved} units reserved at the stock levels, but orders hold "
                f"{self.allocated} and carts {self.held_by_carts}"
            )
        if self.oversold_levels:
            problems.append(f"C1: {self.oversold_levels} stock levels are oversold")
        return problems


@dataclass(frozen=True, slots=True)
class CheckoutLedger:
    """C1's checkouts over one query's wrk runs, against what the database holds."""

    before: CheckoutTotals
    after: CheckoutTotals
    answered_ok: int
    wrk_runs: int
    connections: int
    failed: int = 0

    @property
    def placed(self) -> int:
        return self.after.orders - self.before.orders

    @property
    def cut_at_end(self) -> int:
        return self.placed - self.answered_ok

    def problems(self) -> list[str]:
        problems = self.after.problems()
        if self.placed < self.answered_ok:
            problems.append(
                f"C1: {self.answered_ok} checkouts were answered but {self.placed} orders placed"
            )
        unanswered = self.connections * self.wrk_runs + self.failed
        if self.cut_at_end > unanswered:
            problems.append(
                f"C1: {self.cut_at_end} more orders than answers; at most {unanswered} "
                "requests were in flight when wrk runs ended or failed"
            )
        return problems

    def summary(self) -> str:
        return (
            f"{self.answered_ok:,} checkouts answered OK, {self.placed:,} orders placed "
            f"({self.cut_at_end} cut at the end of {self.wrk_runs} wrk runs, or failed: "
            f"{self.failed}), one per cart; {self.after.allocated:,} units allocated = "
            f"{self.after.ordered_units:,} ordered; reserved {self.after.reserved:,} = "
            f"orders + carts; no level oversold"
        )


def checkout_totals(driver_url: str, carts: CheckoutCarts) -> CheckoutTotals:
    """The totals once the server has finished every checkout sent to it (read until
    two readings ``_SETTLE_SECONDS`` apart agree)."""
    return asyncio.run(_settled_totals(driver_url, carts))


def _totals_statement(carts: CheckoutCarts) -> Any:
    in_channel = _orders.c.channel_id == carts.channel_id
    variants = carts.variant_ids

    def reserved_for(kind: OwnerKind) -> Any:
        return (
            select(func.coalesce(func.sum(_reservations.c.quantity), 0))
            .where(_reservations.c.owner_kind == kind.value)
            .where(_reservations.c.variant_id.in_(variants))
            .scalar_subquery()
        )

    return select(
        select(func.count()).where(in_channel).scalar_subquery(),
        select(func.count(distinct(_orders.c.cart_id))).where(in_channel).scalar_subquery(),
        select(func.count())
        .where(_carts.c.channel_id == carts.channel_id)
        .where(_carts.c.status == CartStatus.COMPLETED.value)
        .scalar_subquery(),
        select(func.coalesce(func.sum(_order_lines.c.quantity), 0))
        .select_from(_order_lines.join(_orders, _orders.c.id == _order_lines.c.order_id))
        .where(in_channel)
        .scalar_subquery(),
        reserved_for(OwnerKind.ORDER),
        reserved_for(OwnerKind.CART),
        select(func.coalesce(func.sum(_levels.c.reserved), 0))
        .where(_levels.c.variant_id.in_(variants))
        .scalar_subquery(),
        select(func.count())
        .where(_levels.c.variant_id.in_(variants))
        .where((_levels.c.reserved > _levels.c.on_hand) | (_levels.c.reserved < 0))
        .scalar_subquery(),
    )


async def _settled_totals(driver_url: str, carts: CheckoutCarts) -> CheckoutTotals:
    engine = create_async_engine(driver_url)
    statement = _totals_statement(carts)
    try:
        deadline = time.monotonic() + _SETTLE_TIMEOUT_SECONDS
        previous: CheckoutTotals | None = None
        while True:
            async with engine.connect() as connection:
                row = (await connection.execute(statement)).one()
            totals = CheckoutTotals(*(int(value) for value in row))
            if totals == previous or time.monotonic() > deadline:
                return totals
            previous = totals
            await asyncio.sleep(_SETTLE_SECONDS)
    finally:
        await engine.dispose()


def account_checkouts(
    driver_url: str,
    carts: CheckoutCarts,
    before: CheckoutTotals,
    wrk_runs: Sequence[WrkRun],
    connections: int,
) -> CheckoutLedger:
    """The ledger of a query's wrk runs (warm-up included); raises AnswerError if off."""
    ledger = CheckoutLedger(
        before=before,
        after=checkout_totals(driver_url, carts),
        answered_ok=sum(run.answered_ok or 0 for run in wrk_runs),
        wrk_runs=len(wrk_runs),
        connections=connections,
        failed=sum(run.failed_requests for run in wrk_runs),
    )
    problems = ledger.problems()
    if problems:
        raise AnswerError("; ".join(problems))
    return ledger


def check_checkouts(base_url: str, driver_url: str, carts: CheckoutCarts) -> None:
    """One checkout over HTTP, answered right, sent twice with its key: one order.

    Raises ``AnswerError`` on a wrong answer, a retry that is not the same order
    replayed, or totals that do not add up.
    """
    before = checkout_totals(driver_url, carts)
    (token,) = carts.take(1)
    body = checkout_body(token, new_key())
    with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as client:
        first = _post(client, body)
        retried = client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        ).json()
    after = checkout_totals(driver_url, carts)
    problems = after.problems()
    replay = (retried.get("data") or {}).get("checkoutComplete") or {}
    number = ((first["data"]["checkoutComplete"] or {}).get("order") or {}).get("number")
    if replay.get("replayed") is not True or (replay.get("order") or {}).get("number") != number:
        problems.append(f"C1: a retry with the same key answered {retried!r:.300}")
    if after.orders - before.orders != 1:
        problems.append(f"C1: one checkout sent twice placed {after.orders - before.orders}")
    if problems:
        raise AnswerError("; ".join(problems))


def _post(client: httpx.Client, body: bytes) -> Any:
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    answer = response_json(response)
    problems = answer_problems(C1, response.status_code, answer)
    if problems:
        raise AnswerError("; ".join(problems[:5]))
    return answer
