"""What cancelled units of a line are worth: the line's total split by units, so that
cancelling one at a time or all at once gives back the same money."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.ids import OrderLineId
from core.money import Money
from core.orders.cancelled_units import value_of, value_of_more
from core.orders.model import OrderLine


def line(total_minor: int, quantity: int, cancelled: int = 0) -> OrderLine:
    return OrderLine(
        id=OrderLineId(1),
        variant_id=None,
        sku="SKU",
        name="Boot",
        quantity=quantity,
        unit_price=Money(total_minor // quantity, "PLN"),
        total_price=Money(total_minor, "PLN"),
        cancelled_quantity=cancelled,
    )


def test_units_of_an_uneven_total_add_up_to_it() -> None:
    sold = line(10000, 3)

    one_by_one = [value_of_more(line(10000, 3, cancelled), 1) for cancelled in range(3)]

    assert sum(v.minor_units for v in one_by_one) == 10000
    assert value_of(sold, 3) == Money(10000, "PLN")
    assert {v.minor_units for v in one_by_one} <= {3333, 3334}


@given(
    total=st.integers(min_value=0, max_value=10**9),
    quantity=st.integers(min_value=1, max_value=50),
    data=st.data(),
)
def test_cancelling_in_steps_gives_back_what_cancelling_at_once_does(
    total: int, quantity: int, data: st.DataObject
) -> None:
    steps = data.draw(st.lists(st.integers(min_value=1, max_value=quantity), max_size=10))
    cancelled = 0
    refunded = 0

    for units in steps:
        units = min(units, quantity - cancelled)
        refunded += value_of_more(line(total, quantity, cancelled), units).minor_units
        cancelled += units

    assert refunded == value_of(line(total, quantity), cancelled).minor_units
    assert 0 <= refunded <= total
