"""What points take off a batch of lines: never more than asked, nor than the lines."""

from hypothesis import given
from hypothesis import strategies as st
from omnicart_loyalty.redemption import discount, points_spent

from core.ids import ProductId, VariantId
from omnicart import Money, PriceLine

lines_strategy = st.lists(
    st.tuples(st.integers(1, 5), st.integers(0, 50_000)), min_size=1, max_size=6
).map(
    lambda pairs: [
        PriceLine(
            key=f"line-{index}",
            variant_id=VariantId(index + 1),
            product_id=ProductId(1),
            sku=f"SKU-{index}",
            quantity=quantity,
            unit_price=Money(unit, "PLN"),
        )
        for index, (quantity, unit) in enumerate(pairs)
    ]
)


@given(lines=lines_strategy, points=st.integers(1, 10_000_000), value=st.integers(1, 100))
def test_points_never_take_off_more_than_asked_or_than_the_lines_are_worth(
    lines: list[PriceLine], points: int, value: int
) -> None:
    point_value = Money(value, "PLN")

    adjustments = discount(points, point_value, lines, "Loyalty points")

    by_key = {line.key: line for line in lines}
    off = sum(-a.amount_per_unit.minor_units * by_key[a.line_key].quantity for a in adjustments)
    worth = sum(line.unit_price.minor_units * line.quantity for line in lines)
    assert all(
        0 < -a.amount_per_unit.minor_units <= by_key[a.line_key].unit_price.minor_units
        for a in adjustments
    )
    assert off <= min(points * value, worth)
    # What does not divide by a line's quantity is the only part left out.
    assert min(points * value, worth) - off < sum(line.quantity for line in lines)
    assert points_spent(Money(-off, "PLN"), point_value, points) <= points
