"""Money in GraphQL: ``{ amount currency }`` with an exact decimal string amount."""

from __future__ import annotations

import functools
from decimal import Decimal

import strawberry

from core.money import Money as MoneyValue


@strawberry.type(name="Money", description="An exact amount of money in one currency.")
class Money:
    # Held as the exact decimal string already (core.money.Money.amount_string), which
    # the Decimal scalar serialises as it is: no Decimal is built per price.
    amount: str = strawberry.field(
        graphql_type=Decimal,
        description='Exact decimal amount as a string, e.g. "35.01"; never a float.',
    )
    currency: str = strawberry.field(description="ISO 4217 currency code.")

    @classmethod
    def from_value(cls, money: MoneyValue) -> Money:
        return _shown(money)


@functools.lru_cache(maxsize=65_536)
def _shown(money: MoneyValue) -> Money:
    # One object per amount, shared by every field that shows it (nothing changes a
    # Money once made): a listing shows 80 prices, mostly the same ones each request.
    return Money(amount=money.amount_string(), currency=money.currency)


@strawberry.input(name="MoneyInput", description="An exact amount: decimal string plus currency.")
class MoneyInput:
    amount: Decimal
    currency: str
