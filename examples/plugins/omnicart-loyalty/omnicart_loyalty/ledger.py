"""The plugin's own tables in Omnicart's database: accounts and a ledger of points.

A customer's account (``loyalty_accounts``) is their loyalty id; their balance is the
sum of their ledger entries (``loyalty_entries``), so one insert is the only write a
change of balance needs. Each entry is unique by (kind, order): an order earns once,
spends once and gives its spent points back once, however often its events come; the
event's outbox id is kept too, and is unique.

Where: ``DATABASE_URL`` below, or else ``OMNICART_LOYALTY_DATABASE_URL``, or else
``OMNICART_DATABASE_URL`` (Omnicart's own, which every Omnicart process has).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db.engine import create_engine

# Set by whoever installs the plugin (or a test); else read from the environment.
DATABASE_URL: str | None = None

# What a loyalty id starts with; the rest is random (unguessable, so a card number
# found on the street names no one a stranger can guess).
LOYALTY_ID_PREFIX = "LOY-"
_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a till
_ID_LENGTH = 10


class EntryKind(StrEnum):
    EARN = "EARN"  # a completed order's points (positive)
    REDEEM = "REDEEM"  # points an order spent (negative)
    RESTORE = "RESTORE"  # a cancelled order's spent points given back (positive)


metadata = MetaData()

accounts = Table(
    "loyalty_accounts",
    metadata,
    Column("customer_id", BigInteger, primary_key=True, autoincrement=False),
    Column("loyalty_id", String(32), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

entries = Table(
    "loyalty_entries",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("customer_id", BigInteger, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("order_id", BigInteger, nullable=False),
    # The outbox id of the event that caused it.
    Column("event_id", BigInteger, nullable=False, unique=True),
    Column("points", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "order_id", name="uq_loyalty_entries_kind_order"),
)


@dataclass(frozen=True, slots=True)
class Account:
    customer_id: int
    loyalty_id: str
    points: int


@dataclass(frozen=True, slots=True)
class Entry:
    customer_id: int
    kind: EntryKind
    order_id: int
    event_id: int
    points: int
    created_at: datetime


def database_url() -> str:
    url = (
        DATABASE_URL
        or os.environ.get("OMNICART_LOYALTY_DATABASE_URL")
        or os.environ.get("OMNICART_DATABASE_URL")
    )
    if not url:
        raise RuntimeError("omnicart-loyalty: set OMNICART_DATABASE_URL (or ..._LOYALTY_...)")
    return url


@asynccontextmanager
async def opened() -> AsyncIterator[AsyncEngine]:
    """An engine on the plugin's database for one call (the plugin keeps no global one)."""
    engine = create_engine(database_url(), pool_size=1)
    try:
        yield engine
    finally:
        await engine.dispose()


async def create_tables(engine: AsyncEngine) -> None:
    """Create the plugin's tables when missing. Only write paths call it: DDL from a
    hook inside a request's transaction would wait for that transaction on SQLite."""
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all, checkfirst=True)


async def drop_tables(engine: AsyncEngine) -> None:
    """Drop the plugin's tables and every account and point in them."""
    async with engine.begin() as connection:
        await connection.run_sync(metadata.drop_all, checkfirst=True)


async def has_tables(connection: AsyncConnection) -> bool:
    """Whether the tables exist yet (before the first earn or enrolment they do not)."""
    return await connection.run_sync(
        lambda sync: (
            inspect(sync).has_table(entries.name) and inspect(sync).has_table(accounts.name)
        )
    )


async def balance(connection: AsyncConnection, customer_id: int) -> int:
    """The customer's points: the sum of their entries (0 without any)."""
    statement = select(func.coalesce(func.sum(entries.c.points), 0)).where(
        entries.c.customer_id == customer_id
    )
    return int((await connection.execute(statement)).scalar_one())


async def customer_of(connection: AsyncConnection, loyalty_id: str) -> int | None:
    """The customer whose loyalty id this is, or None."""
    statement = select(accounts.c.customer_id).where(
        accounts.c.loyalty_id == loyalty_id.strip().upper()
    )
    found = (await connection.execute(statement)).scalar_one_or_none()
    return None if found is None else int(found)


async def account_of(connection: AsyncConnection, customer_id: int) -> Account | None:
    statement = select(accounts.c.loyalty_id).where(accounts.c.customer_id == customer_id)
    loyalty_id = (await connection.execute(statement)).scalar_one_or_none()
    if loyalty_id is None:
        return None
    return Account(customer_id, str(loyalty_id), await balance(connection, customer_id))


def new_loyalty_id() -> str:
    return LOYALTY_ID_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


async def _open_account(connection: AsyncConnection, customer_id: int, now: datetime) -> None:
    """Give the customer an account when they have none (inside the caller's
    transaction; a concurrent enrolment makes the caller's commit fail, and retry)."""
    found = await connection.execute(
        select(accounts.c.customer_id).where(accounts.c.customer_id == customer_id)
    )
    if found.first() is None:
        await connection.execute(
            insert(accounts).values(
                customer_id=customer_id, loyalty_id=new_loyalty_id(), created_at=now
            )
        )


async def enrol(engine: AsyncEngine, customer_id: int, *, now: datetime) -> Account:
    """The customer's account, opened now when they have none (a new loyalty id, no
    points). ``customer_id`` is Omnicart's customer id; the caller checks it exists."""
    await create_tables(engine)
    try:
        async with engine.begin() as connection:
            await _open_account(connection, customer_id, now)
    except IntegrityError:
        pass  # enrolled meanwhile by another process: that account stands
    async with engine.connect() as connection:
        account = await account_of(connection, customer_id)
    assert account is not None
    return account


async def record(engine: AsyncEngine, entry: Entry) -> bool:
    """Write ``entry`` (opening the customer's account first when needed) unless its
    order already has an entry of its kind; whether it was written now."""
    await create_tables(engine)
    try:
        async with engine.begin() as connection:
            if await _has_entry(connection, entry.kind, entry.order_id):
                return False
            await _open_account(connection, entry.customer_id, entry.created_at)
            await connection.execute(
                insert(entries).values(
                    customer_id=entry.customer_id,
                    kind=entry.kind.value,
                    order_id=entry.order_id,
                    event_id=entry.event_id,
                    points=entry.points,
                    created_at=entry.created_at,
                )
            )
    except IntegrityError:
        # Another process wrote this order's entry (or enrolled the customer) between
        # our read and our insert. Written already: done; else let delivery retry.
        async with engine.connect() as connection:
            if await _has_entry(connection, entry.kind, entry.order_id):
                return False
        raise
    return True


async def entry_for(connection: AsyncConnection, kind: EntryKind, order_id: int) -> Entry | None:
    statement = select(entries).where(entries.c.kind == kind.value, entries.c.order_id == order_id)
    row = (await connection.execute(statement)).first()
    return None if row is None else _entry(row)


async def entries_of(connection: AsyncConnection, customer_id: int) -> list[Entry]:
    """The customer's ledger, oldest first."""
    statement = select(entries).where(entries.c.customer_id == customer_id).order_by(entries.c.id)
    return [_entry(row) for row in await connection.execute(statement)]


def _entry(row: Any) -> Entry:
    return Entry(
        customer_id=row.customer_id,
        kind=EntryKind(row.kind),
        order_id=row.order_id,
        event_id=row.event_id,
        points=row.points,
        created_at=row.created_at,
    )


async def _has_entry(connection: AsyncConnection, kind: EntryKind, order_id: int) -> bool:
    return await entry_for(connection, kind, order_id) is not None
