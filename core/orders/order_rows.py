"""The rows an order is written with, built once for every way an order is made
(checkout, the till): its lines from a priced cart or basket, and its first payment
from the provider's authorisation. (The order's own row: ``core.orders.placement``.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.carts.model import PricedCart
from core.ids import VariantId
from core.orders.queries import adjustments_to_json
from core.payments.model import Authorization, PaymentStatus


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
