"""Reading a webhook's JSON values: the right type or a TypeError, money only from
decimal strings."""

from __future__ import annotations

import pytest

from core.money import Money
from core.orders import webhook_json


def test_values_of_the_right_type_are_read_back() -> None:
    assert webhook_json.text("a") == "a"
    assert webhook_json.optional_text(None) is None
    assert webhook_json.integer(3) == 3
    assert webhook_json.money({"amount": "12.30", "currency": "PLN"}) == Money.parse("12.30", "PLN")


@pytest.mark.parametrize(
    "read, value",
    [
        (webhook_json.text, 1),
        (webhook_json.optional_text, 1.5),
        (webhook_json.integer, True),
        (webhook_json.integer, "3"),
        (webhook_json.money, {"amount": 12.3, "currency": "PLN"}),
    ],
)
def test_a_value_of_another_type_is_a_type_error(read: object, value: object) -> None:
    assert callable(read)
    with pytest.raises(TypeError):
        read(value)
