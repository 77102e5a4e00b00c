"""The writes of returns and refunds (issue 14): one Core statement builder each. Their
bind parameters are prefixed ``r_`` (SQLAlchemy reserves a table's column names for
the values of an INSERT or UPDATE of that table).

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
    """``r_received`` (= ``r_restocked`` + ``r_written_off``) units of a return line
    (``r_line_id`` of ``r_return_id``) arrived; guard: within what is left to receive.
    Returns the line's id; no row means the guard refused."""
    received = bindparam("r_received", type_=BigInteger())
    return (
        update(return_lines_table)
        .where(
            return_lines_table.c.id == bindparam("r_line_id", type_=BigInteger()),
            return_lines_table.c.return_id == bindparam("r_return_id", type_=BigInteger()),
            return_lines_table.c.received + received <= return_lines_table.c.quantity,
        )
        .values(
            received=return_lines_table.c.received + received,
            restocked=return_lines_table.c.restocked + bindparam("r_restocked", type_=BigInteger()),
            written_off=return_lines_table.c.written_off
            + bindparam("r_written_off", type_=BigInteger()),
        )
        .returning(return_lines_table.c.id)
    )


def set_return_status() -> Update:
    """The return (``r_return_id``) at its status (``r_status``), last received at
    ``r_location_id``, as of ``r_now``."""
    return (
        update(returns_table)
        .where(returns_table.c.id == bindparam("r_return_id", type_=BigInteger()))
        .values(
            status=bindparam("r_status", type_=String()),
            location_id=bindparam("r_location_id", type_=BigInteger()),
            updated_at=bindparam("r_now", type_=returns_table.c.updated_at.type),
        )
    )


def insert_refund() -> Insert:
    """A refund row (every column of ``refunds`` but ``id``); returns its id."""
    return insert(refunds_table).returning(refunds_table.c.id)
