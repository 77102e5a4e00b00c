"""The writes of returns and refunds (issue 14): one Core statement builder each.

``receive_line`` is the guard against receiving a unit twice: it grows a return
line's counters only while ``received`` stays within ``quantity``, on the row's
current values (PostgreSQL re-checks the WHERE after waiting for the row lock; SQLite
serialises writers), so two receipts of the same units racing each other count once.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Insert, Select, String, Update, bindparam, insert, select, update

from core.orders.queries import orders_table
from core.orders.return_queries import refunds_table, return_lines_table, returns_table


def lock_order() -> Select[tuple[int]]:
    """The order row (``order_id``), locked until the transaction ends: returns and
    refunds of one order queue behind each other and read what the one before wrote."""
    return (
        select(orders_table.c.version)
        .where(orders_table.c.id == bindparam("order_id", type_=BigInteger()))
        .with_for_update()
    )


def insert_return() -> Insert:
    """A return (``order_id``, ``channel_id``, ``status``, ``actor``, ``created_at``,
    ``updated_at``); returns its id."""
    return insert(returns_table).returning(returns_table.c.id)


def insert_return_lines() -> Insert:
    """Lines of a return (``return_id``, ``order_line_id``, ``quantity``, ``reason``,
    counters at zero): run with one parameter set per line."""
    return insert(return_lines_table)


def receive_line() -> Update:
    """``received`` (= ``restocked`` + ``written_off``) units of a return line
    (``line_id`` of ``return_id``) arrived; guard: within what is left to receive.
    Returns the line's id; no row means the guard refused."""
    received = bindparam("received", type_=BigInteger())
    return (
        update(return_lines_table)
        .where(
            return_lines_table.c.id == bindparam("line_id", type_=BigInteger()),
            return_lines_table.c.return_id == bindparam("return_id", type_=BigInteger()),
            return_lines_table.c.received + received <= return_lines_table.c.quantity,
        )
        .values(
            received=return_lines_table.c.received + received,
            restocked=return_lines_table.c.restocked + bindparam("restocked", type_=BigInteger()),
            written_off=return_lines_table.c.written_off
            + bindparam("written_off", type_=BigInteger()),
        )
        .returning(return_lines_table.c.id)
    )


def set_return_status() -> Update:
    """The return (``return_id``) at its status (``status``), last received at
    ``location_id``, as of ``now``."""
    return (
        update(returns_table)
        .where(returns_table.c.id == bindparam("return_id", type_=BigInteger()))
        .values(
            status=bindparam("status", type_=String()),
            location_id=bindparam("location_id", type_=BigInteger()),
            updated_at=bindparam("now", type_=returns_table.c.updated_at.type),
        )
    )


def insert_refund() -> Insert:
    """A refund row (every column of ``refunds`` but ``id``); returns its id."""
    return insert(refunds_table).returning(refunds_table.c.id)
