"""Relay plumbing: the Node interface, opaque global IDs, cursors and page info."""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

import orjson
import strawberry

from core.catalog.model import Cursor, ProductSortKey
from core.errors import DomainError, ErrorCode


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    id: strawberry.ID


@strawberry.type(description="Where a page of a connection sits.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@functools.lru_cache(maxsize=65_536)
def to_global_id(type_name: str, key: int | str) -> str:
    # Cached: a listing encodes a hundred IDs, mostly the same ones request after
    # request (a bounded cache; an ID is a few dozen bytes).
    raw = f"{type_name}:{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str, *expected: str, field: str = "id") -> tuple[str, int]:
    """Decode an ID made by ``to_global_id``; it must name one of ``expected`` types.

    Raises ``DomainError`` (``INVALID_ID``) for anything else.
    """
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, key = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        number = int(key)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise DomainError.single(ErrorCode.INVALID_ID, "Not a valid ID", field) from None
    if expected and type_name not in expected:
        raise DomainError.single(
            ErrorCode.INVALID_ID, f"Expected the ID of a {' or '.join(expected)}", field
        )
    return type_name, number


def encode_cursor(cursor: Cursor) -> str:
    payload: list[Any] = [cursor.key.value, int(cursor.reverse), cursor.value, cursor.product_id]
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def decode_cursor(raw: str, *, key: ProductSortKey, reverse: bool) -> Cursor:
    """Decode a cursor; it must come from the same sort, or it would skip or repeat rows."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        sort_key, is_reverse, value, product_id = orjson.loads(base64.urlsafe_b64decode(padded))
        cursor = Cursor(ProductSortKey(sort_key), bool(is_reverse), value, int(product_id))
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise DomainError.single(ErrorCode.INVALID, "Not a valid cursor", "after") from None
    if not isinstance(cursor.value, str | int | float) and cursor.value is not None:
        raise DomainError.single(ErrorCode.INVALID, "Not a valid cursor", "after")
    if cursor.key is not key or cursor.reverse != reverse:
        raise DomainError.single(
            ErrorCode.INVALID, "The cursor belongs to a different sort order", "after"
        )
    return cursor
