"""Money as integer minor units of one ISO 4217 currency (STYLE.md section 5)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import assert_never

# ISO 4217 minor-unit exponents, not cash rounding: HUF and CZK cash is whole, yet ISO 4217 gives
# them two decimal places, so amounts like "10.50 HUF" stay representable.
CURRENCY_EXPONENTS: Mapping[str, int] = MappingProxyType(
    {
        "AED": 2,
        "ARS": 2,
        "AUD": 2,
        "BGN": 2,
        "BHD": 3,
        "BRL": 2,
        "CAD": 2,
        "CHF": 2,
        "CLP": 0,
        "CNY": 2,
        "COP": 2,
        "CZK": 2,
        "DKK": 2,
        "EGP": 2,
        "EUR": 2,
        "GBP": 2,
        "HKD": 2,
        "HUF": 2,
        "IDR": 2,
        "ILS": 2,
        "INR": 2,
        "IQD": 3,
        "ISK": 0,
        "JOD": 3,
        "JPY": 0,
        "KES": 2,
        "KRW": 0,
        "KWD": 3,
        "LYD": 3,
        "MAD": 2,
        "MXN": 2,
        "MYR": 2,
        "NGN": 2,
        "NOK": 2,
        "NZD": 2,
        "OMR": 3,
        "PEN": 2,
        "PHP": 2,
        "PKR": 2,
        "PLN": 2,
        "PYG": 0,
        "QAR": 2,
        "RON": 2,
        "RSD": 2,
        "SAR": 2,
        "SEK": 2,
        "SGD": 2,
        "THB": 2,
        "TND": 3,
        "TRY": 2,
        "TWD": 2,
        "UAH": 2,
        "UGX": 0,
        "USD": 2,
        "VND": 0,
        "XAF": 0,
        "XOF": 0,
        "ZAR": 2,
    }
)

# ASCII digits only: Decimal() also accepts exponents, underscores, surrounding whitespace and
# non-ASCII digits, none of which belong in an exact amount sent by a client.
_AMOUNT_PATTERN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

_BASIS_POINTS_PER_WHOLE = 10_000


class UnknownCurrencyError(ValueError):
    """The code is not an upper-case ISO 4217 code listed in CURRENCY_EXPONENTS."""


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were added, subtracted or compared."""


class Rounding(StrEnum):
    """How a result that falls between two minor units is rounded.

    HALF_EVEN: to the nearest unit, ties to the even one (banker's rounding).
    HALF_UP: to the nearest unit, ties away from zero.
    DOWN: toward zero.
    """

    HALF_EVEN = "half_even"
    HALF_UP = "half_up"
    DOWN = "down"


def exponent_of(currency: str) -> int:
    """Return the number of minor-unit digits of a currency (JPY 0, PLN 2, KWD 3)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrencyError(
            f"unknown currency {currency!r}: expected an upper-case ISO 4217 code such as 'USD'"
        ) from None


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: integer minor units (cents, fils, yen) of one currency.

    Build it from minor units, or from a decimal string with Money.parse; never from a float.
    Equality between currencies is False; ordering and arithmetic between them raise
    CurrencyMismatchError.
    """

    minor_units: int
    currency: str

    def __post_init__(self) -> None:
        if (
            type(self.minor_units) is int
            and type(self.currency) is str
            and self.currency in CURRENCY_EXPONENTS
        ):
            return  # the common case, decided without a call (a listing builds 80)
        if isinstance(self.minor_units, bool) or not isinstance(self.minor_units, int):
            if isinstance(self.minor_units, float | Decimal):
                raise TypeError(
                    f"minor_units must be an int, not {type(self.minor_units).__name__}: "
                    "use Money.parse('12.34', currency) for decimal amounts"
                )
            raise TypeError(f"minor_units must be an int, not {type(self.minor_units).__name__}")
        if not isinstance(self.currency, str):
            raise TypeError(f"currency must be a str, not {type(self.currency).__name__}")
        exponent_of(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return no money in the given currency."""
        return cls(0, currency)

    @classmethod
    def parse(cls, amount: str | Decimal, currency: str) -> Money:
        """Build from an exact decimal amount such as "35.01", "-3" or Decimal("10.5").

        Raises ValueError if the amount is not a plain decimal number, is not finite, or needs
        more decimal places than the currency has (it is never rounded; trailing zeros are fine).
        Raises TypeError for a float or any other type.
        """
        exponent = exponent_of(currency)
        if isinstance(amount, str):
            if not _AMOUNT_PATTERN.fullmatch(amount):
                raise ValueError(f"{amount!r} is not a decimal number such as '12.34'")
            value = Decimal(amount)
        elif isinstance(amount, Decimal):
            value = amount
        else:
            raise TypeError(
                f"amount must be a str or Decimal, not {type(amount).__name__}: "
                "floats cannot hold most decimal amounts exactly"
            )
        if not value.is_finite():
            raise ValueError(f"{amount!r} is not a finite amount")
        # Integer arithmetic on the digits: Decimal operations such as scaleb round to the
        # context precision (28 digits by default), which would change large amounts.
        sign, digits, value_exponent = value.as_tuple()
        assert isinstance(value_exponent, int)  # finite, so never the 'n'/'N'/'F' markers
        coefficient = int("".join(map(str, digits)))
        shift = value_exponent + exponent
        if shift >= 0:
            minor_units = coefficient * 10**shift
        else:
            minor_units, dropped = divmod(coefficient, 10**-shift)
            if dropped:
                raise ValueError(
                    f"{amount!r} has more than {exponent} decimal places, the most {currency} has"
                )
        return cls(-minor_units if sign else minor_units, currency)

    def to_decimal(self) -> Decimal:
        """Return the exact amount with the currency's decimal places (1000 USD -> 10.00)."""
        # Built from a string so no context precision applies, unlike Decimal.scaleb.
        return Decimal(f"{self.minor_units}E-{exponent_of(self.currency)}")

    def amount_string(self) -> str:
        """Return the exact decimal string used by GraphQL: "10.00", "-0.50", "5", "0.001"."""
        # Digits of the integer, split: exact, and several times faster than going
        # through Decimal (it runs for every price a listing shows).
        exponent = exponent_of(self.currency)
        units = self.minor_units
        if exponent == 0:
            return str(units)
        if units < 0:
            digits = str(-units).rjust(exponent + 1, "0")
            return f"-{digits[:-exponent]}.{digits[-exponent:]}"
        digits = str(units).rjust(exponent + 1, "0")
        return f"{digits[:-exponent]}.{digits[-exponent:]}"

    def format(self) -> str:
        """Return a locale-free rendering: the amount string, a space, the code ("10.00 USD")."""
        return f"{self.amount_string()} {self.currency}"

    def __str__(self) -> str:
        return self.format()

    def is_zero(self) -> bool:
        """Return whether the amount is exactly zero."""
        return self.minor_units == 0

    def is_negative(self) -> bool:
        """Return whether the amount is below zero."""
        return self.minor_units < 0

    def _same_currency_units(self, other: Money, operation: str) -> int:
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot {operation} {self.currency} and {other.currency} amounts"
            )
        return other.minor_units

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.minor_units + self._same_currency_units(other, "add"), self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        units = self._same_currency_units(other, "subtract")
        return Money(self.minor_units - units, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor_units, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor_units), self.currency)

    def __mul__(self, quantity: int) -> Money:
        """Multiply by a whole quantity; rates go through percentage() so rounding is explicit."""
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise TypeError(
                f"Money can only be multiplied by an int quantity, not {type(quantity).__name__}: "
                "use percentage() for rates"
            )
        return Money(self.minor_units * quantity, self.currency)

    def __rmul__(self, quantity: int) -> Money:
        return self.__mul__(quantity)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.minor_units < self._same_currency_units(other, "compare")

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.minor_units <= self._same_currency_units(other, "compare")

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.minor_units > self._same_currency_units(other, "compare")

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.minor_units >= self._same_currency_units(other, "compare")

    def percentage(self, basis_points: int, rounding: Rounding = Rounding.HALF_EVEN) -> Money:
        """Return basis_points / 10000 of the amount (1250 = 12.5 %), rounded to a minor unit.

        Rounding acts on the magnitude, so a negative amount gives the negation of the result for
        the positive one.
        """
        if isinstance(basis_points, bool) or not isinstance(basis_points, int):
            raise TypeError(f"basis_points must be an int, not {type(basis_points).__name__}")
        product = self.minor_units * basis_points
        magnitude = _divide_rounded(abs(product), _BASIS_POINTS_PER_WHOLE, rounding)
        return Money(-magnitude if product < 0 else magnitude, self.currency)

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split in proportion to non-negative int ratios; the parts add up exactly to the whole.

        Each part first gets its exact share rounded toward zero; the minor units left over go one
        each to the parts with the largest remainder, ties to the earlier part. So no part is a
        whole minor unit away from its exact share, and a zero ratio always gets zero.
        Raises ValueError for no ratios, a negative ratio, or ratios that are all zero.
        """
        for ratio in ratios:
            if isinstance(ratio, bool) or not isinstance(ratio, int):
                raise TypeError(f"ratios must be ints, not {type(ratio).__name__}")
        if not ratios:
            raise ValueError("cannot allocate over no ratios")
        if any(ratio < 0 for ratio in ratios):
            raise ValueError(f"ratios must not be negative: {list(ratios)}")
        total_ratio = sum(ratios)
        if total_ratio == 0:
            raise ValueError("at least one ratio must be positive")

        # Working on the magnitude and restoring the sign keeps negative splits symmetric.
        magnitude = abs(self.minor_units)
        shares = [divmod(magnitude * ratio, total_ratio) for ratio in ratios]
        parts = [whole for whole, _ in shares]
        left_over = magnitude - sum(parts)
        by_remainder = sorted(range(len(shares)), key=lambda index: (-shares[index][1], index))
        for index in by_remainder[:left_over]:
            parts[index] += 1
        sign = -1 if self.minor_units < 0 else 1
        return [Money(sign * part, self.currency) for part in parts]

    def split(self, parts: int) -> list[Money]:
        """Split into `parts` equal shares, earlier parts taking the leftover minor units."""
        if isinstance(parts, bool) or not isinstance(parts, int):
            raise TypeError(f"parts must be an int, not {type(parts).__name__}")
        if parts < 1:
            raise ValueError(f"cannot split into {parts} parts")
        return self.allocate([1] * parts)


def sum_money(items: Iterable[Money], currency: str) -> Money:
    """Add amounts of one currency; an empty iterable gives zero, another currency raises."""
    total = Money.zero(currency)
    for item in items:
        total += item
    return total


def _divide_rounded(numerator: int, denominator: int, rounding: Rounding) -> int:
    # Callers pass a magnitude, so floor division here is rounding toward zero.
    quotient, remainder = divmod(numerator, denominator)
    twice_remainder = 2 * remainder
    match rounding:
        case Rounding.DOWN:
            return quotient
        case Rounding.HALF_UP:
            return quotient + 1 if twice_remainder >= denominator else quotient
        case Rounding.HALF_EVEN:
            if twice_remainder > denominator or (
                twice_remainder == denominator and quotient % 2 == 1
            ):
                return quotient + 1
            return quotient
        case _:
            assert_never(rounding)
