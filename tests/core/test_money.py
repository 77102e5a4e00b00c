from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.money import (
    CURRENCY_EXPONENTS,
    CurrencyMismatchError,
    Money,
    Rounding,
    UnknownCurrencyError,
    exponent_of,
    sum_money,
)


def currencies() -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(CURRENCY_EXPONENTS))


def minor_units() -> st.SearchStrategy[int]:
    # Far beyond any BIGINT total, so nothing relies on Decimal's 28-digit default precision.
    return st.integers(min_value=-(10**30), max_value=10**30)


def amounts() -> st.SearchStrategy[Money]:
    return st.builds(Money, minor_units(), currencies())


# Construction


def test_building_from_a_float_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"Money\.parse"):
        Money(10.5, "USD")  # type: ignore[arg-type]  # the mistake under test


def test_building_from_a_decimal_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"Money\.parse"):
        Money(Decimal("10.50"), "USD")  # type: ignore[arg-type]  # the mistake under test


def test_building_from_a_bool_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money(True, "USD")


def test_an_unlisted_currency_is_unknown() -> None:
    with pytest.raises(UnknownCurrencyError):
        Money(100, "XYZ")


def test_a_lower_case_currency_code_is_unknown() -> None:
    with pytest.raises(UnknownCurrencyError, match="upper-case"):
        Money(100, "usd")


def test_an_unknown_currency_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        exponent_of("EURO")


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [
        ("JPY", 0),
        ("KRW", 0),
        ("ISK", 0),
        ("PLN", 2),
        ("USD", 2),
        ("HUF", 2),
        ("KWD", 3),
        ("TND", 3),
    ],
)
def test_exponents_follow_iso_4217(currency: str, exponent: int) -> None:
    found = exponent_of(currency)

    assert found == exponent


def test_zero_has_no_minor_units() -> None:
    zero = Money.zero("JPY")

    assert zero == Money(0, "JPY")
    assert zero.is_zero()


# Parsing


def test_parsing_a_zloty_amount_counts_grosze() -> None:
    price = Money.parse("35.01", "PLN")

    assert price == Money(3501, "PLN")


@pytest.mark.parametrize(
    ("amount", "minor"),
    [("-3", -300), ("10.5", 1050), ("+2.00", 200), ("0.07", 7), (".5", 50), ("-0", 0)],
)
def test_parsing_short_and_signed_amounts_is_exact(amount: str, minor: int) -> None:
    money = Money.parse(amount, "USD")

    assert money == Money(minor, "USD")


def test_parsing_whole_yen_keeps_them_whole() -> None:
    price = Money.parse("500", "JPY")

    assert price == Money(500, "JPY")


def test_parsing_a_fraction_of_a_yen_is_refused() -> None:
    with pytest.raises(ValueError, match="decimal places"):
        Money.parse("500.5", "JPY")


def test_parsing_dinars_keeps_three_places() -> None:
    price = Money.parse("1.234", "KWD")

    assert price == Money(1234, "KWD")


def test_parsing_more_places_than_the_currency_has_is_refused_not_rounded() -> None:
    with pytest.raises(ValueError, match="decimal places"):
        Money.parse("10.001", "USD")


def test_parsing_trailing_zeros_beyond_the_currency_places_is_exact() -> None:
    amounts = ("10.500", Decimal("5.0"))

    parsed = (Money.parse(amounts[0], "USD"), Money.parse(amounts[1], "JPY"))

    assert parsed == (Money(1050, "USD"), Money(5, "JPY"))


def test_parsing_a_decimal_is_exact() -> None:
    amount = Decimal("-12.34")

    money = Money.parse(amount, "EUR")

    assert money == Money(-1234, "EUR")


def test_parsing_an_amount_beyond_decimal_precision_is_exact() -> None:
    amount = "123456789012345678901234567890.12"

    money = Money.parse(amount, "USD")

    assert money.minor_units == 12345678901234567890123456789012
    assert money.amount_string() == amount


@pytest.mark.parametrize(
    "amount", ["", "abc", "1e3", " 1", "1 ", "1_000", "1,5", "1.2.3", ".", "-", "\u0661\u0662"]
)
def test_parsing_something_other_than_a_plain_decimal_is_refused(amount: str) -> None:
    with pytest.raises(ValueError, match="not a decimal number"):
        Money.parse(amount, "USD")


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_parsing_a_non_finite_decimal_is_refused(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="not a finite amount"):
        Money.parse(amount, "USD")


def test_parsing_a_float_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="float"):
        Money.parse(35.01, "PLN")  # type: ignore[arg-type]  # the mistake under test


def test_parsing_in_an_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrencyError):
        Money.parse("1.00", "ABC")


# Decimal and string forms


@pytest.mark.parametrize(
    ("money", "expected"),
    [
        (Money(1000, "USD"), "10.00"),
        (Money(-50, "USD"), "-0.50"),
        (Money(0, "USD"), "0.00"),
        (Money(5, "JPY"), "5"),
        (Money(1, "KWD"), "0.001"),
        (Money(-1234, "KWD"), "-1.234"),
    ],
)
def test_amount_string_is_exact_with_the_currency_places(money: Money, expected: str) -> None:
    text = money.amount_string()

    assert text == expected


def test_to_decimal_has_the_currency_places() -> None:
    dollars = Money(1000, "USD")

    value = dollars.to_decimal()

    assert value == Decimal("10.00")
    assert value.as_tuple().exponent == -2


def test_formatting_puts_the_code_after_the_amount() -> None:
    price = Money(3501, "PLN")

    text = price.format()

    assert text == "35.01 PLN"
    assert str(price) == text


# Arithmetic and comparison


def test_amounts_in_different_currencies_are_not_equal() -> None:
    dollars, euros = Money(100, "USD"), Money(100, "EUR")

    equal = dollars == euros

    assert not equal


def test_adding_different_currencies_raises() -> None:
    dollars, euros = Money(100, "USD"), Money(100, "EUR")

    with pytest.raises(CurrencyMismatchError):
        dollars + euros


def test_comparing_different_currencies_raises() -> None:
    dollars, euros = Money(100, "USD"), Money(100, "EUR")

    with pytest.raises(CurrencyMismatchError):
        dollars < euros  # noqa: B015  # the comparison itself is the behaviour under test


def test_a_currency_mismatch_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Money(1, "JPY") - Money(1, "KRW")


def test_adding_and_subtracting_within_a_currency() -> None:
    price, discount = Money(1999, "PLN"), Money(500, "PLN")

    total, difference = price + discount, price - discount

    assert total == Money(2499, "PLN")
    assert difference == Money(1499, "PLN")


def test_negation_and_absolute_value() -> None:
    refund = Money(-250, "EUR")

    flipped, magnitude = -refund, abs(refund)

    assert flipped == Money(250, "EUR")
    assert magnitude == Money(250, "EUR")
    assert refund.is_negative()
    assert not magnitude.is_negative()


def test_multiplying_by_a_quantity_on_either_side() -> None:
    unit_price = Money(250, "PLN")

    left, right = unit_price * 3, 3 * unit_price

    assert left == right == Money(750, "PLN")


def test_multiplying_by_a_float_is_a_type_error() -> None:
    unit_price = Money(250, "PLN")

    with pytest.raises(TypeError, match="percentage"):
        unit_price * 1.5  # type: ignore[operator]  # the mistake under test


def test_multiplying_by_a_decimal_is_a_type_error() -> None:
    unit_price = Money(250, "PLN")

    with pytest.raises(TypeError):
        Decimal("1.5") * unit_price  # type: ignore[operator]  # the mistake under test


def test_multiplying_by_a_bool_is_a_type_error() -> None:
    unit_price = Money(250, "PLN")

    with pytest.raises(TypeError):
        unit_price * True


def test_ordering_within_a_currency() -> None:
    small, large = Money(1, "KWD"), Money(1000, "KWD")

    assert small < large
    assert small <= small
    assert large > small
    assert large >= large


def test_summing_nothing_gives_zero_in_the_asked_currency() -> None:
    no_lines: list[Money] = []

    total = sum_money(no_lines, "JPY")

    assert total == Money(0, "JPY")


def test_summing_lines_adds_them() -> None:
    lines = [Money(100, "JPY"), Money(250, "JPY"), Money(-50, "JPY")]

    total = sum_money(lines, "JPY")

    assert total == Money(300, "JPY")


def test_summing_a_line_in_another_currency_raises() -> None:
    lines = [Money(100, "JPY"), Money(250, "KRW")]

    with pytest.raises(CurrencyMismatchError):
        sum_money(lines, "JPY")


# Percentages


def test_a_zloty_vat_rate_rounds_half_even_by_default() -> None:
    net = Money.parse("35.01", "PLN")

    vat = net.percentage(2300)

    assert vat == Money.parse("8.05", "PLN")


@pytest.mark.parametrize(
    ("minor", "rounding", "expected"),
    [
        (20, Rounding.HALF_EVEN, 2),
        (20, Rounding.HALF_UP, 3),
        (20, Rounding.DOWN, 2),
        (60, Rounding.HALF_EVEN, 8),
        (60, Rounding.HALF_UP, 8),
        (60, Rounding.DOWN, 7),
        (-20, Rounding.HALF_EVEN, -2),
        (-20, Rounding.HALF_UP, -3),
        (-20, Rounding.DOWN, -2),
        (-60, Rounding.DOWN, -7),
    ],
)
def test_a_percentage_halfway_between_units_follows_the_named_rule(
    minor: int, rounding: Rounding, expected: int
) -> None:
    amount = Money(minor, "USD")

    share = amount.percentage(1250, rounding)

    assert share == Money(expected, "USD")


def test_a_percentage_of_yen_rounds_to_whole_yen() -> None:
    price = Money(155, "JPY")

    share = price.percentage(1000)

    assert share == Money(16, "JPY")


def test_a_percentage_as_a_float_is_a_type_error() -> None:
    price = Money(155, "JPY")

    with pytest.raises(TypeError):
        price.percentage(12.5)  # type: ignore[arg-type]  # the mistake under test


# Allocation


def test_splitting_a_dollar_three_ways_gives_the_spare_cent_to_the_first_part() -> None:
    dollar = Money(100, "USD")

    parts = dollar.split(3)

    assert parts == [Money(34, "USD"), Money(33, "USD"), Money(33, "USD")]


def test_splitting_a_dinar_three_ways_is_in_fils() -> None:
    dinar = Money.parse("1", "KWD")

    parts = dinar.split(3)

    assert [part.amount_string() for part in parts] == ["0.334", "0.333", "0.333"]


def test_splitting_a_negative_amount_mirrors_the_positive_split() -> None:
    refund = Money(-100, "JPY")

    parts = refund.split(3)

    assert parts == [Money(-34, "JPY"), Money(-33, "JPY"), Money(-33, "JPY")]


def test_the_spare_unit_goes_to_the_largest_remainder_not_the_first_part() -> None:
    amount = Money(100, "PLN")

    parts = amount.allocate([1, 2])

    assert parts == [Money(33, "PLN"), Money(67, "PLN")]


def test_a_zero_ratio_gets_nothing() -> None:
    amount = Money(5, "EUR")

    parts = amount.allocate([0, 1, 1])

    assert parts == [Money(0, "EUR"), Money(3, "EUR"), Money(2, "EUR")]


@pytest.mark.parametrize("ratios", [[], [0], [0, 0], [1, -1]])
def test_allocating_over_unusable_ratios_is_refused(ratios: list[int]) -> None:
    amount = Money(100, "USD")

    with pytest.raises(ValueError):
        amount.allocate(ratios)


def test_splitting_into_no_parts_is_refused() -> None:
    amount = Money(100, "USD")

    with pytest.raises(ValueError):
        amount.split(0)


# Properties


@given(
    minor=minor_units(),
    currency=currencies(),
    ratios=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12),
)
def test_allocation_adds_up_and_each_part_is_within_a_unit_of_its_share(
    minor: int, currency: str, ratios: list[int]
) -> None:
    assume(sum(ratios) > 0)
    whole = Money(minor, currency)

    parts = whole.allocate(ratios)

    assert sum_money(parts, currency) == whole
    for part, ratio in zip(parts, ratios, strict=True):
        exact_share = Fraction(minor * ratio, sum(ratios))
        assert abs(part.minor_units - exact_share) < 1


@given(minor=minor_units(), currency=currencies(), count=st.integers(min_value=1, max_value=50))
def test_split_parts_add_up_and_differ_by_at_most_one_unit(
    minor: int, currency: str, count: int
) -> None:
    whole = Money(minor, currency)

    parts = whole.split(count)

    assert sum_money(parts, currency) == whole
    units = [part.minor_units for part in parts]
    assert max(units) - min(units) <= 1


@given(money=amounts())
def test_the_amount_string_parses_back_to_the_same_money(money: Money) -> None:
    text = money.amount_string()

    parsed = Money.parse(text, money.currency)

    assert parsed == money


@given(money=amounts())
def test_the_amount_string_is_the_exact_decimal_written_out(money: Money) -> None:
    text = money.amount_string()

    assert text == str(money.to_decimal())


@given(money=amounts())
def test_the_decimal_parses_back_to_the_same_money(money: Money) -> None:
    value = money.to_decimal()

    parsed = Money.parse(value, money.currency)

    assert parsed == money
    assert value.as_tuple().exponent == -exponent_of(money.currency)


@given(data=st.data(), currency=currencies())
def test_addition_is_commutative_and_associative(data: st.DataObject, currency: str) -> None:
    a, b, c = (Money(data.draw(minor_units()), currency) for _ in range(3))

    left, right = (a + b) + c, a + (b + c)

    assert a + b == b + a
    assert left == right
    assert left - c == a + b


@given(money=amounts(), quantity=st.integers(min_value=0, max_value=20))
def test_multiplying_by_a_quantity_is_repeated_addition(money: Money, quantity: int) -> None:
    product = money * quantity

    assert product == sum_money([money] * quantity, money.currency)


@given(money=amounts(), rounding=st.sampled_from(Rounding))
def test_ten_thousand_basis_points_is_the_whole_amount(money: Money, rounding: Rounding) -> None:
    whole = money.percentage(10_000, rounding)

    assert whole == money


@given(
    money=amounts(),
    basis_points=st.integers(min_value=-100_000, max_value=100_000),
    rounding=st.sampled_from(Rounding),
)
def test_a_percentage_rounds_like_decimal_with_the_same_rule(
    money: Money, basis_points: int, rounding: Rounding
) -> None:
    decimal_rounding = {
        Rounding.HALF_EVEN: ROUND_HALF_EVEN,
        Rounding.HALF_UP: ROUND_HALF_UP,
        Rounding.DOWN: ROUND_DOWN,
    }[rounding]
    with localcontext(prec=100):
        exact = Decimal(money.minor_units * basis_points) / 10_000
        expected = int(exact.quantize(Decimal(1), rounding=decimal_rounding))

    share = money.percentage(basis_points, rounding)

    assert share == Money(expected, money.currency)
    assert (-money).percentage(basis_points, rounding) == -share


@given(data=st.data())
def test_mixing_currencies_raises(data: st.DataObject) -> None:
    first, second = data.draw(st.lists(currencies(), min_size=2, max_size=2, unique=True))
    a = Money(data.draw(minor_units()), first)
    b = Money(data.draw(minor_units()), second)

    equal = a == b

    assert not equal
    with pytest.raises(CurrencyMismatchError):
        a + b
    with pytest.raises(CurrencyMismatchError):
        a - b
    with pytest.raises(CurrencyMismatchError):
        a < b  # noqa: B015  # the comparison itself is the behaviour under test
    with pytest.raises(CurrencyMismatchError):
        a >= b  # noqa: B015  # the comparison itself is the behaviour under test
    with pytest.raises(CurrencyMismatchError):
        sum_money([a, b], first)
