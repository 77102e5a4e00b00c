"""C1's set-up and bookkeeping: carts made ready through the services, each checked out
once, the answer check, the ledger, and the supply handed to wrk's runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.catalog import CHANNEL_SLUG, check_database_url, prepare_database
from benchmarks.checkout_ledger import CheckoutLedger, CheckoutTotals, checkout_totals
from benchmarks.checkouts import (
    C1_DOCUMENT,
    MAX_RATE,
    CheckoutCarts,
    cart_skus,
    carts_needed,
    checkout_skus,
    prepare_checkout_carts,
    run_rate,
)
from benchmarks.queries import C1, DEFAULT_QUERIES, answer_problems, parse_query_names
from benchmarks.run import RunOptions, checkout_carts_for
from benchmarks.statements import count_statements
from benchmarks.wrk import _parse, body_parts, write_checkout_script, write_tokens


def test_two_checkouts_through_the_app_place_one_order_per_cart_with_its_stock(
    tmp_path: Path,
) -> None:
    driver_url = check_database_url(f"sqlite:///{tmp_path / 'bench.db'}")
    prepare_database(driver_url)
    carts = prepare_checkout_carts(driver_url, 3)
    before = checkout_totals(driver_url, carts)

    statements = count_statements(driver_url, CHANNEL_SLUG, [C1], {C1.name: carts})

    after = checkout_totals(driver_url, carts)
    assert len(set(carts.tokens)) == 3 and carts.left == 1
    carts.top_up(driver_url, 2)
    assert len(set(carts.tokens)) == 4 and carts.left == 2
    # Every cart holds its 3 units until checked out; nothing is ordered yet.
    assert (before.orders, before.held_by_carts, before.reserved) == (0, 9, 9)
    assert (after.orders, after.ordered_carts, after.completed_carts) == (2, 2, 2)
    assert after.allocated == after.ordered_units == 6
    assert (after.held_by_carts, after.reserved) == (3, 9)
    assert after.problems() == []
    assert any("INSERT INTO orders" in statement for statement in statements[C1.name])


def test_carts_take_three_different_variants_in_turn() -> None:
    skus = checkout_skus()

    assert len(skus) == len(set(skus)) == 200
    assert cart_skus(0) == skus[0:3] and cart_skus(1) == skus[3:6]
    assert cart_skus(66) == [skus[198], skus[199], skus[0]]


def test_the_supply_is_handed_out_once_and_refuses_to_run_dry() -> None:
    carts = CheckoutCarts(tokens=("a", "b", "c"), channel_id=1, variant_ids=(1,))

    first = carts.take(2)
    body = json.loads(carts.body(0))

    assert first == ("a", "b") and body["variables"]["token"] == "c"
    assert body["query"] == C1_DOCUMENT and len(body["variables"]["key"]) == 36
    with pytest.raises(ValueError, match="C1 needs 1 more carts"):
        carts.take(1)


def test_a_run_gets_carts_for_every_checkout_its_runs_can_send() -> None:
    options = RunOptions(
        database_url="sqlite:////tmp/x.db",
        queries=parse_query_names("C1"),
        duration_seconds=10,
        runs=3,
        warmup_seconds=3,
        connections=16,
        threads=2,
        port=8765,
        json_path=None,
    )

    assert carts_needed(10, 16) == MAX_RATE * 11 + 16
    assert carts_needed(10, 16, rate=40) == 440 + 16
    # Before the server starts: the checks' and the warm-up's; each run gets carts for
    # twice the best rate seen so far, at least 20/s, at most MAX_RATE.
    assert checkout_carts_for(options) == 4 + carts_needed(3, 16)
    assert (run_rate(None), run_rate(7.0), run_rate(60.0), run_rate(400.0)) == (
        MAX_RATE,
        20,
        120,
        MAX_RATE,
    )
    assert "C1" not in DEFAULT_QUERIES.split(",")


def test_the_checkout_script_reads_its_run_s_tokens_and_sends_each_once(tmp_path: Path) -> None:
    script = write_checkout_script(tmp_path, "C1", document=C1_DOCUMENT, threads=2)
    tokens = write_tokens(tmp_path / "carts.txt", ["tok_a", "tok-b"])
    head, middle, tail = body_parts(C1_DOCUMENT, {})

    text = script.read_text()

    assert tokens.read_text() == "tok_a\ntok-b\n"
    assert "io.lines(args[2])" in text and "index % 2 == thread_number - 1" in text
    assert json.loads(head + "tok_a" + middle + "run-1-000000000001" + tail) == {
        "query": C1_DOCUMENT,
        "variables": {"token": "tok_a", "key": "run-1-000000000001"},
    }
    with pytest.raises(ValueError):
        write_tokens(tmp_path / "bad.txt", ['bad"token'])


def test_requests_past_the_carts_count_as_exhausted_errors() -> None:
    fields = (
        '"requests": 10, "duration_us": 1000000, "p50_us": 900, "p99_us": 2000, '
        '"mean_us": 950.0, "max_us": 3000, "connect_errors": 0, "read_errors": 0, '
        '"write_errors": 0, "status_errors": 0, "timeouts": 0'
    )

    run = _parse(
        f'OMNICART_WRK_RESULT {{{fields}, "answered_ok": 7, "wrong_answers": 3, "exhausted": 3}}'
    )

    assert (run.answered_ok, run.errors, run.exhausted, run.failed_requests) == (7, 3, 3, 0)


def _order(*, total: str = "127.59", status: str = "PLACED") -> dict[str, object]:
    # SKU-300-0, -1, -2 cost 40.00, 40.01, 40.02; delivery 7.56.
    return {
        "data": {
            "checkoutComplete": {
                "order": {
                    "number": "OC-000000001",
                    "status": status,
                    "paymentStatus": "AUTHORIZED",
                    "lines": [
                        {"sku": f"SKU-300-{j}", "quantity": 1, "unitPrice": {"amount": f"40.0{j}"}}
                        for j in range(3)
                    ],
                    "cost": {
                        "subtotalAmount": {"amount": "120.03", "currency": "USD"},
                        "deliveryAmount": {"amount": "7.56"},
                        "totalAmount": {"amount": total, "currency": "USD"},
                    },
                },
                "errors": [],
                "replayed": False,
            }
        }
    }


def test_the_answer_check_wants_a_placed_authorised_order_that_adds_up() -> None:
    assert answer_problems(C1, 200, _order()) == []
    assert answer_problems(C1, 200, _order(total="127.58"))[0].startswith("C1: total")
    assert answer_problems(C1, 200, _order(status="CANCELLED"))[0].startswith("C1: order")
    refused = {"data": {"checkoutComplete": {"order": None, "errors": [{"code": "X"}]}}}
    assert answer_problems(C1, 200, refused)[0].startswith("C1: errors")


def _totals(orders: int, **changes: int) -> CheckoutTotals:
    values = {
        "orders": orders,
        "ordered_carts": orders,
        "completed_carts": orders,
        "ordered_units": 3 * orders,
        "allocated": 3 * orders,
        "held_by_carts": 300,
        "reserved": 300 + 3 * orders,
        "oversold_levels": 0,
    }
    return CheckoutTotals(**{**values, **changes})


def test_the_ledger_wants_one_order_per_answer_and_the_stock_to_add_up() -> None:
    def ledger(after: CheckoutTotals, answered_ok: int) -> CheckoutLedger:
        return CheckoutLedger(_totals(2), after, answered_ok, wrk_runs=2, connections=16)

    assert ledger(_totals(102), answered_ok=90).problems() == []
    assert "answered" in ledger(_totals(50), answered_ok=60).problems()[0]
    assert "in flight" in ledger(_totals(200), answered_ok=60).problems()[0]
    assert "one order per cart" in ledger(_totals(12, completed_carts=11), 10).problems()[0]
    assert "reserved 29" in ledger(_totals(12, allocated=29), 10).problems()[0]
    assert "oversold" in ledger(_totals(12, oversold_levels=1), 10).problems()[-1]
