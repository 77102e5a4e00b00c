"""Loyalty points: earned on completed orders in every channel that runs the
programme (the till included), spent as a price adjustment online or in store.

Enable it per channel (``{"points_per_unit": 1, "point_value": "0.01"}``, see
``LoyaltySettings``). The hooks:

- ``omnicart_event``: a completed order (``OrderFulfilled`` / ``OrderPickedUp`` with
  status FULFILLED or COMPLETED) earns its customer points; ``OrderPlaced`` spends the
  points its loyalty adjustment used; ``OrderCancelled`` gives them back
  (``omnicart_loyalty.earning``);
- ``omnicart_price_lines``: the attribute ``loyalty.redeemPoints`` on a cart (or at the
  till) takes that many points' worth off, never more than the lines are worth;
- ``omnicart_checkout_validate``: refuses checkout when the balance does not cover it
  (``LOYALTY_POINTS_INSUFFICIENT``, ``LOYALTY_POINTS_INVALID``);
- ``omnicart_customer_lookup``: a loyalty id ("LOY-...") names its customer at the till.

Accounts and points live in the plugin's own tables in Omnicart's database
(``omnicart_loyalty.ledger``); ``enrol`` opens an account without an order.
"""

from __future__ import annotations

from omnicart_loyalty.accounts import account, enrol, history
from omnicart_loyalty.earning import omnicart_event
from omnicart_loyalty.hooks import (
    omnicart_checkout_validate,
    omnicart_customer_lookup,
    omnicart_price_lines,
)
from omnicart_loyalty.ledger import Account, Entry, EntryKind
from omnicart_loyalty.settings import LoyaltySettings

settings_class = LoyaltySettings

__all__ = [
    "Account",
    "Entry",
    "EntryKind",
    "LoyaltySettings",
    "account",
    "enrol",
    "history",
    "omnicart_checkout_validate",
    "omnicart_customer_lookup",
    "omnicart_event",
    "omnicart_price_lines",
    "settings_class",
]
