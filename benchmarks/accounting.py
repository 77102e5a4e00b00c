"""M1's checks: answers, idempotency, and that every add landed exactly once.

wrk counts the answers it received (``answered_ok``: status 200, ``errors: []``, no
top-level errors). When a wrk run ends, the requests still in flight (at most one per
connection) are not counted by wrk, but the server may still apply them. So over a
query's wrk runs (warm-up included), with ``landed`` the growth of the units in the
100 carts read from the database:

- ``landed`` equals the growth of the recorded idempotency keys: each add landed with
  its key, and no key was applied twice;
- ``answered_ok <= landed <= answered_ok + connections x wrk runs + failed``: every
  answered add landed, and the only extra ones are those cut at the end of a run (or
  that wrk saw fail: a timeout, a socket error or an error status, which make the
  result a MISS anyway);
- the units of the variant reserved at the warehouses equal the units in the carts:
  every unit in a cart is held stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.carts import CartSet, CartTotals, cart_totals, new_key
from benchmarks.queries import M1, AnswerError, answer_problems, response_json
from benchmarks.wrk import WrkRun


@dataclass(frozen=True, slots=True)
class AddLedger:
    """M1's adds over one query's wrk runs, against what the database holds."""

    before: CartTotals
    after: CartTotals
    answered_ok: int  # over every wrk run of the query, warm-up included
    wrk_runs: int
    connections: int
    failed: int = 0  # requests wrk saw fail (WrkRun.failed_requests), over the same runs

    @property
    def landed(self) -> int:
        return self.after.quantity - self.before.quantity

    @property
    def cut_at_end(self) -> int:
        """Adds applied by the server whose answers wrk did not wait for."""
        return self.landed - self.answered_ok

    def problems(self) -> list[str]:
        problems = []
        keyed = self.after.keyed_adds - self.before.keyed_adds
        if keyed != self.landed:
            problems.append(
                f"M1: {self.landed} units landed but {keyed} idempotency keys were recorded"
            )
        if self.landed < self.answered_ok:
            problems.append(
                f"M1: {self.answered_ok} adds were answered but only {self.landed} units landed"
            )
        unanswered = self.connections * self.wrk_runs + self.failed
        if self.cut_at_end > unanswered:
            problems.append(
                f"M1: {self.cut_at_end} more units landed than answered; at most {unanswered} "
                "requests were in flight when wrk runs ended or failed"
            )
        problems += held_problems(self.after)
        return problems

    def summary(self) -> str:
        return (
            f"{self.answered_ok:,} adds answered OK, {self.landed:,} units landed "
            f"({self.cut_at_end} cut at the end of {self.wrk_runs} wrk runs, at most "
            f"{self.connections} each, or failed: {self.failed}), "
            f"{self.after.keyed_adds - self.before.keyed_adds:,} "
            f"keys recorded; reserved {self.after.reserved:,} = in carts "
            f"{self.after.quantity:,}"
        )


def account_adds(
    driver_url: str,
    carts: CartSet,
    before: CartTotals,
    wrk_runs: Sequence[WrkRun],
    connections: int,
) -> AddLedger:
    """The ledger of a query's wrk runs (warm-up included); raises AnswerError if off."""
    ledger = AddLedger(
        before=before,
        after=cart_totals(driver_url, carts),
        answered_ok=sum(run.answered_ok or 0 for run in wrk_runs),
        wrk_runs=len(wrk_runs),
        connections=connections,
        failed=sum(run.failed_requests for run in wrk_runs),
    )
    problems = ledger.problems()
    if problems:
        raise AnswerError("; ".join(problems))
    return ledger


def held_problems(totals: CartTotals) -> list[str]:
    if totals.reserved == totals.quantity:
        return []
    return [
        f"M1: the carts hold {totals.quantity} units but {totals.reserved} are reserved "
        "at the warehouses"
    ]


def check_cart_adds(base_url: str, driver_url: str, carts: CartSet) -> None:
    """One add over HTTP, answered right, sent twice with its key: it lands once.

    Raises ``AnswerError`` on a wrong answer, a retry answered differently, or units
    that do not add up.
    """
    before = cart_totals(driver_url, carts)
    body = carts.add_body(0, new_key())
    with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as client:
        first = _post(client, body)
        retried = _post(client, body)
    if retried != first:
        raise AnswerError(
            f"M1: a retry with the same idempotency key answered {retried!r:.300} "
            f"instead of {first!r:.300}"
        )
    after = cart_totals(driver_url, carts)
    problems = held_problems(after)
    if (after.quantity - before.quantity, after.keyed_adds - before.keyed_adds) != (1, 1):
        problems.append(
            f"M1: one add sent twice with one key: {after.quantity - before.quantity} units "
            f"landed, {after.keyed_adds - before.keyed_adds} keys recorded (expected 1 and 1)"
        )
    if problems:
        raise AnswerError("; ".join(problems))


def _post(client: httpx.Client, body: bytes) -> Any:
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    answer = response_json(response)
    problems = answer_problems(M1, response.status_code, answer)
    if problems:
        raise AnswerError("; ".join(problems[:5]))
    return answer
