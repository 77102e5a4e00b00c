"""Typed reads of a marketplace webhook's parsed JSON body (issue 15), shared by every
``omnicart_marketplace_order`` adapter: each returns the value or raises ``TypeError``
(``ValueError`` for a bad amount), which an adapter turns into
``MarketplaceOrderRejected``."""

from __future__ import annotations

from typing import Any

from core.money import Money


def text(value: Any) -> str:
    """``value`` when it is a string."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def optional_text(value: Any) -> str | None:
    """``value`` when it is a string, None when it is null (or absent)."""
    return None if value is None else text(value)


def integer(value: Any) -> int:
    """``value`` when it is an integer (a boolean is not)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def money(value: Any) -> Money:
    """``{"amount": "<decimal string>", "currency": "<ISO code>"}`` as ``Money``."""
    # Amounts are decimal strings, as in GraphQL; a JSON number could be a float.
    return Money.parse(text(value["amount"]), text(value["currency"]))
