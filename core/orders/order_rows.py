"""The rows an order is written with, built once for every way an order is made
(checkout, the till): its lines from a priced cart or basket, and its first payment
from the provider's authorisation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.carts import tokens as cart_tokens
from core.carts.addresses import MailingAddress
from core.carts.model import PricedCart
from core.ids import CartId, CustomerId, VariantId
from core.money import Money
from core.orders.model import OrderStatus
from core.orders.queries import adjustments_to_json
from core.payments.model import Authorization, PaymentStatus


def order_row(
    priced: PricedCart,
    *,
    number: str,
    order_token: str,
    seal_key: bytes,
    key_digest: str,
    arguments: str,
    cart_id: CartId | None,
    customer_id: CustomerId | None,
    email: str,
    delivery_amount: Money,
    shipping_address: MailingAddress | None,
    billing_address: MailingAddress | None,
    now: datetime,
) -> dict[str, Any]:
    """The order as placed (PLACED, payment PENDING, version 1): its totals are the
    priced lines plus ``delivery_amount``; ``key_digest`` and ``arguments``: the scoped
    idempotency key and the fingerprint of the request that made it."""
    cost = priced.cost
    return {
        "number": number,
        "token_digest": cart_tokens.digest(order_token),
        "sealed_token": cart_tokens.seal(order_token, seal_key),
        "checkout_key_digest": key_digest,
        "checkout_fingerprint": arguments,
        "cart_id": cart_id,
        "channel_id": priced.channel.id,
        "customer_id": customer_id,
        "email": email,
        "status": OrderStatus.PLACED.value,
        "payment_status": PaymentStatus.PENDING.value,
        "currency": priced.channel.currency,
        "subtotal_minor": cost.subtotal_amount.minor_units,
        "delivery_minor": delivery_amount.minor_units,
        "total_minor": (cost.total_amount + delivery_amount).minor_units,
        "adjustments": adjustments_to_json(cost.adjustments),
        "shipping_address": _address(shipping_address),
        "billing_address": _address(billing_address or shipping_address),
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _address(address: MailingAddress | None) -> dict[str, Any] | None:
    return None if address is None else address.to_json()


def line_rows(priced: PricedCart, names: Mapping[VariantId, str]) -> list[dict[str, Any]]:
    """One order line per line of ``priced.cart``, in its order, with the price snapshot
    (``names``: the variants' sale names; the SKU where one is missing)."""
    info, currency = priced.sale_info, priced.channel.currency
    return [
        {
            "variant_id": line.variant_id,
            "sku": info[line.variant_id].sku,
            "name": names.get(line.variant_id, info[line.variant_id].sku),
            "quantity": line.quantity,
            "unit_price_minor": priced.line_costs[line.id].amount_per_quantity.minor_units,
            "total_minor": priced.line_costs[line.id].total_amount.minor_units,
            "currency": currency,
            "adjustments": adjustments_to_json(priced.line_costs[line.id].adjustments),
        }
        for line in priced.cart.lines
    ]


def payment_row(
    authorization: Authorization, status: PaymentStatus, *, now: datetime
) -> dict[str, Any]:
    """The order's payment as the provider authorised it, nothing captured yet."""
    return {
        "provider": authorization.provider,
        "status": status.value,
        "amount_minor": authorization.amount.minor_units,
        "captured_minor": 0,
        "refunded_minor": 0,
        "currency": authorization.amount.currency,
        "reference": authorization.provider_reference,
        "created_at": now,
        "updated_at": now,
    }
