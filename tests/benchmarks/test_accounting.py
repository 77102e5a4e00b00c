"""M1's bookkeeping: the request bodies wrk sends, its answer check and the ledger."""

from __future__ import annotations

import json

from benchmarks.accounting import AddLedger
from benchmarks.carts import M1_DOCUMENT, CartTotals
from benchmarks.queries import M1, answer_problems
from benchmarks.wrk import _parse, body_parts


def _ledger(*, landed: int, keyed: int, answered_ok: int, reserved: int | None = None) -> AddLedger:
    before = CartTotals(quantity=100, keyed_adds=0, reserved=100)
    after = CartTotals(
        quantity=100 + landed,
        keyed_adds=keyed,
        reserved=100 + landed if reserved is None else reserved,
    )
    return AddLedger(before, after, answered_ok=answered_ok, wrk_runs=2, connections=16)


def _answer(total_quantity: int, amount: str, errors: list[object]) -> dict[str, object]:
    cart = {
        "version": 7,
        "totalQuantity": total_quantity,
        "lines": [{"id": "Q2FydExpbmU6MQ"}],
        "cost": {"totalAmount": {"amount": amount, "currency": "USD"}},
    }
    return {"data": {"cartLinesAdd": {"cart": cart, "errors": errors}}}


def test_the_lua_body_parts_around_token_and_key_make_the_request_json() -> None:
    head, middle, tail = body_parts(M1_DOCUMENT, {"variantId": "UHJvZHVjdFZhcmlhbnQ6MQ"})

    body = json.loads(head + "omct_abc-_" + middle + "run1-2-000000000003" + tail)

    assert body == {
        "query": M1_DOCUMENT,
        "variables": {
            "variantId": "UHJvZHVjdFZhcmlhbnQ6MQ",
            "token": "omct_abc-_",
            "key": "run1-2-000000000003",
        },
    }


def test_wrk_results_without_answer_counts_leave_answered_ok_unset() -> None:
    fields = (
        '"requests": 10, "duration_us": 1000000, "p50_us": 900, "p99_us": 2000, '
        '"mean_us": 950.0, "max_us": 3000, "connect_errors": 0, "read_errors": 0, '
        '"write_errors": 0, "status_errors": 0, "timeouts": 0'
    )

    static = _parse(f'OMNICART_WRK_RESULT {{{fields}, "answered_ok": -1, "wrong_answers": 0}}')
    counted = _parse(f'OMNICART_WRK_RESULT {{{fields}, "answered_ok": 8, "wrong_answers": 2}}')

    assert (static.answered_ok, static.errors) == (None, 0)
    assert (counted.answered_ok, counted.errors) == (8, 2)


def test_an_add_answered_with_the_right_total_has_no_problems() -> None:
    problems = answer_problems(M1, 200, _answer(3, "179.70", []))

    assert problems == []


def test_an_add_with_a_wrong_total_or_payload_errors_is_refused() -> None:
    wrong_total = answer_problems(M1, 200, _answer(3, "179.00", []))
    with_errors = answer_problems(M1, 200, _answer(3, "179.70", [{"code": "INVALID"}]))

    assert wrong_total and "cost" in wrong_total[0]
    assert with_errors and "errors" in with_errors[0]


def test_adds_cut_at_the_end_of_runs_are_allowed_up_to_one_per_connection_and_run() -> None:
    ledger = _ledger(landed=1_032, keyed=1_032, answered_ok=1_000)

    problems = ledger.problems()

    assert problems == []
    assert ledger.cut_at_end == 32


def test_units_without_a_recorded_key_or_more_than_in_flight_are_problems() -> None:
    unkeyed = _ledger(landed=1_000, keyed=999, answered_ok=1_000).problems()
    too_many = _ledger(landed=1_033, keyed=1_033, answered_ok=1_000).problems()
    lost = _ledger(landed=999, keyed=999, answered_ok=1_000).problems()

    assert len(unkeyed) == 1 and "keys" in unkeyed[0]
    assert len(too_many) == 1 and "in flight" in too_many[0]
    assert len(lost) == 1 and "answered" in lost[0]


def test_units_in_carts_that_are_not_reserved_are_a_problem() -> None:
    ledger = _ledger(landed=10, keyed=10, answered_ok=10, reserved=105)

    problems = ledger.problems()

    assert len(problems) == 1 and "reserved" in problems[0]
