"""Idempotency keys: a retried request applies nothing twice.

A keyed change records ``(digest of scope and key, operation, fingerprint of the
arguments)`` in ``cart_requests`` in its own transaction (``core.carts.steps.claim_key``).
A retry finds the record and answers with the cart as it is; the same key with another
operation or other arguments is refused with ``IDEMPOTENCY_KEY_REUSED``. Concurrent
requests with one key: the second waits on the unique index until the first commits
(PostgreSQL) or on the write lock (SQLite), then finds the record. Records are kept
a day (``core.carts.sweeper``).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import bindparam, select

from core.carts.steps import requests_table
from core.errors import DomainError, ErrorCode
from core.uow import UnitOfWork


class Operation(StrEnum):
    """The operation an idempotency record was made by (stored: never renamed)."""

    CREATE = "cart.create"
    ADD_LINES = "cart.add_lines"
    UPDATE_LINES = "cart.update_lines"
    REMOVE_LINES = "cart.remove_lines"
    CLEAR = "cart.clear"
    UPDATE_EMAIL = "cart.update_email"
    RESUME = "cart.resume"
    SET_SHIPPING_ADDRESS = "cart.set_shipping_address"
    SET_BILLING_ADDRESS = "cart.set_billing_address"
    SELECT_DELIVERY = "cart.select_delivery"
    UPDATE_ATTRIBUTES = "cart.update_attributes"
    # Checkout (core.orders.checkout): its records are the orders themselves.
    CHECKOUT = "order.checkout"
    # The till (core.orders.till): its records are the orders too.
    POS_CHECKOUT = "order.pos_checkout"
    # Refunds (core.orders.refunds): their records are the refunds themselves.
    REFUND = "order.refund"


def key_digest(scope: str, key: str) -> str:
    """The stored form of a key: keys are scoped (a cart, or creation) and hashed."""
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


def fingerprint(operation: Operation, arguments: Any) -> str:
    """What a retry's arguments are compared by."""
    return hashlib.sha256(
        orjson.dumps([operation.value, arguments], option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


async def earlier_request(
    uow: UnitOfWork, digest: str, operation: Operation, arguments_fingerprint: str
) -> Any:
    """The record of an earlier request with this key (it must be the same request)."""
    rows = await uow.fetch(_EARLIER, {"key_digest": digest})
    if not rows:  # pragma: no cover - the conflicting row is committed by then
        raise DomainError.single(ErrorCode.INVALID, "Retry the request", "idempotency_key")
    earlier = rows[0]
    if earlier.operation != operation.value or earlier.fingerprint != arguments_fingerprint:
        raise DomainError.single(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different request",
            "idempotency_key",
        )
    return earlier


_EARLIER = select(requests_table).where(
    requests_table.c.key_digest == bindparam("key_digest", type_=requests_table.c.key_digest.type)
)
