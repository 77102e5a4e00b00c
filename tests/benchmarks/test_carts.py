"""M1's set-up on a real (SQLite) database: carts made, adds counted and accounted for."""

from __future__ import annotations

from pathlib import Path

from benchmarks.carts import CART_COUNT, INITIAL_QUANTITY, cart_totals, prepare_carts
from benchmarks.catalog import CHANNEL_SLUG, check_database_url, prepare_database
from benchmarks.queries import M1
from benchmarks.statements import count_statements


def test_two_adds_through_the_app_land_once_each_with_their_keys_and_stock(
    tmp_path: Path,
) -> None:
    driver_url = check_database_url(f"sqlite:///{tmp_path / 'bench.db'}")
    prepare_database(driver_url)
    carts = prepare_carts(driver_url)
    before = cart_totals(driver_url, carts)

    statements = count_statements(driver_url, CHANNEL_SLUG, [M1], {M1.name: carts})

    after = cart_totals(driver_url, carts)
    assert len(carts.tokens) == CART_COUNT
    assert before.quantity == before.reserved == CART_COUNT * INITIAL_QUANTITY
    assert (after.quantity - before.quantity, after.keyed_adds - before.keyed_adds) == (2, 2)
    assert after.reserved == after.quantity
    assert any("cart_lines" in statement for statement in statements[M1.name])
