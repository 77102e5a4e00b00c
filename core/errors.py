"""Error codes for the whole API and the exception services raise.

Codes are for programs and are never renamed; messages are for people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Every code a user can cause. ``schema`` exposes it as ``UserErrorCode``."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_CHANNEL = "UNKNOWN_CHANNEL"
    DUPLICATE_SLUG = "DUPLICATE_SLUG"
    DUPLICATE_SKU = "DUPLICATE_SKU"
    INVALID_SLUG = "INVALID_SLUG"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    NEGATIVE_PRICE = "NEGATIVE_PRICE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_ID = "INVALID_ID"
    CATEGORY_CYCLE = "CATEGORY_CYCLE"
    UNKNOWN_PLUGIN = "UNKNOWN_PLUGIN"
    INVALID_PLUGIN_SETTINGS = "INVALID_PLUGIN_SETTINGS"
    PLUGIN_FAILED = "PLUGIN_FAILED"
    INVALID_COORDINATES = "INVALID_COORDINATES"
    INVALID_SCOPE = "INVALID_SCOPE"
    # The same item twice in one input list (a plugin, a supplying location, an option name).
    DUPLICATE = "DUPLICATE"
    # A channel's currency cannot change while it has prices in the old one.
    CURRENCY_IN_USE = "CURRENCY_IN_USE"
    # Inventory (issue 4): more wanted than is available, at a location or in a channel.
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    UNKNOWN_VARIANT = "UNKNOWN_VARIANT"
    UNKNOWN_LOCATION = "UNKNOWN_LOCATION"
    # A quantity or delta that is zero, negative or out of range where that makes no sense.
    INVALID_QUANTITY = "INVALID_QUANTITY"
    # Carts (issue 5).
    INVALID_CART_TOKEN = "INVALID_CART_TOKEN"
    CART_NOT_FOUND = "CART_NOT_FOUND"
    CART_EXPIRED = "CART_EXPIRED"
    # The cart was merged into another one on login; it no longer changes.
    CART_NOT_ACTIVE = "CART_NOT_ACTIVE"
    CART_VERSION_CONFLICT = "CART_VERSION_CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    NOT_SOLD_IN_CHANNEL = "NOT_SOLD_IN_CHANNEL"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    TOO_MANY_ATTRIBUTES = "TOO_MANY_ATTRIBUTES"
    INVALID_ATTRIBUTE = "INVALID_ATTRIBUTE"
    UNKNOWN_LINE = "UNKNOWN_LINE"
    # Customers (issue 5): an address another account already uses (compared in lower case).
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_EMAIL = "INVALID_EMAIL"
    # Too short, or the email address itself.
    PASSWORD_TOO_WEAK = "PASSWORD_TOO_WEAK"
    # A wrong password or an unknown email: one code and one message for both, so a
    # login does not reveal which addresses have accounts.
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    # Too many password attempts for one email address in the current window.
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    # Payments (issue 13): the provider said no (a card declined, a refund refused).
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    # No payment plugin enabled in the channel declares this provider.
    PAYMENT_PROVIDER_NOT_ACCEPTED = "PAYMENT_PROVIDER_NOT_ACCEPTED"
    # The provider is paid at collection (pay-at-pickup); the order is not pickup-only.
    PAYMENT_REQUIRES_PICKUP = "PAYMENT_REQUIRES_PICKUP"
    # Capture, void or refund of an authorisation the provider declined.
    PAYMENT_NOT_AUTHORIZED = "PAYMENT_NOT_AUTHORIZED"
    CAPTURE_EXCEEDS_AUTHORIZED = "CAPTURE_EXCEEDS_AUTHORIZED"
    REFUND_EXCEEDS_CAPTURED = "REFUND_EXCEEDS_CAPTURED"
    # Checkout (issue 13): a mailing address's country is not an ISO 3166-1 alpha-2 code,
    # its postal code cannot be one, its phone number is not one.
    INVALID_COUNTRY_CODE = "INVALID_COUNTRY_CODE"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    INVALID_PHONE = "INVALID_PHONE"
    # Delivery (issue 13): a group id the cart does not have (now), a handle its group
    # does not offer, and the handle chosen before that is no longer offered.
    UNKNOWN_DELIVERY_GROUP = "UNKNOWN_DELIVERY_GROUP"
    UNKNOWN_DELIVERY_OPTION = "UNKNOWN_DELIVERY_OPTION"
    DELIVERY_OPTION_UNAVAILABLE = "DELIVERY_OPTION_UNAVAILABLE"
    # Checkout and orders (issue 13).
    # A checkout plugin (omnicart_checkout_validate) found a problem; the message says which.
    CHECKOUT_BLOCKED = "CHECKOUT_BLOCKED"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    # The order's status does not allow this (cancelling a cancelled order, say).
    ORDER_STATUS_INVALID = "ORDER_STATUS_INVALID"
    # Fulfilment (issue 14): an order line id that is not the order's.
    UNKNOWN_ORDER_LINE = "UNKNOWN_ORDER_LINE"
    # More units than the order holds at that location (its allocation there).
    QUANTITY_NOT_ALLOCATED = "QUANTITY_NOT_ALLOCATED"
    # More units than are left unfulfilled of the order line.
    QUANTITY_EXCEEDS_UNFULFILLED = "QUANTITY_EXCEEDS_UNFULFILLED"
    # A store ships only where ship-from-store is enabled (warehouses always ship).
    SHIP_FROM_STORE_DISABLED = "SHIP_FROM_STORE_DISABLED"
    # The order is not collected at that location (no pick-up or curbside group there).
    NOT_A_PICKUP_LOCATION = "NOT_A_PICKUP_LOCATION"
    # The order holds nothing at the pick-up location to hand over (yet).
    NOTHING_TO_PICK_UP = "NOTHING_TO_PICK_UP"
    # orderPickupComplete before orderReadyForPickup at that location.
    PICKUP_NOT_READY = "PICKUP_NOT_READY"
    # The pickup code given is not the one issued for the order at that location.
    PICKUP_CODE_INVALID = "PICKUP_CODE_INVALID"
    # The till (issue 15): the location is not a store selling through a store channel.
    NOT_A_STORE = "NOT_A_STORE"
    # The shopper named at the till (global id, email or loyalty id) is not known.
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    # Cash handed over at the till is less than the order's total.
    CASH_TENDERED_SHORT = "CASH_TENDERED_SHORT"
    # Returns (issue 14): more units than were fulfilled of the line, less those returned.
    RETURN_QUANTITY_EXCEEDED = "RETURN_QUANTITY_EXCEEDED"
    # A customer's return after the channel's return window closed.
    RETURN_WINDOW_CLOSED = "RETURN_WINDOW_CLOSED"
    RETURN_NOT_FOUND = "RETURN_NOT_FOUND"
    # A return line id that is not the return's.
    UNKNOWN_RETURN_LINE = "UNKNOWN_RETURN_LINE"
    # More units than the return line has left to receive.
    RECEIVE_QUANTITY_EXCEEDED = "RECEIVE_QUANTITY_EXCEEDED"
    # Marketplace orders (issue 15): a SKU no variant has.
    UNKNOWN_SKU = "UNKNOWN_SKU"
    # Orders are imported only into a channel of kind marketplace.
    NOT_A_MARKETPLACE_CHANNEL = "NOT_A_MARKETPLACE_CHANNEL"
    # The channel's plugin refused a marketplace's order (malformed, or a bad signature).
    MARKETPLACE_ORDER_REJECTED = "MARKETPLACE_ORDER_REJECTED"
    # Webhooks (issue 15): a URL that is not absolute http(s) with a host.
    INVALID_WEBHOOK_URL = "INVALID_WEBHOOK_URL"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request. ``field`` is an input path like ``lines.1.quantity``."""

    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """Raised by services for anything a user can cause; carries one or more problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("DomainError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def single(cls, code: ErrorCode, message: str, field: str | None = None) -> DomainError:
        return cls([Problem(code, message, field)])


class PluginError(Exception):
    """A plugin raised inside a hook; the request's transaction is rolled back."""

    def __init__(self, plugin: str, hook: str, cause: BaseException) -> None:
        self.plugin = plugin
        self.hook = hook
        super().__init__(f"plugin {plugin!r} failed in {hook}: {cause.__class__.__name__}")
