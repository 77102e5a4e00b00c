"""For the retailer's own code (a sign-up page, a card printer) and tests: open an
account without waiting for a first order, and read one."""

from __future__ import annotations

from datetime import UTC, datetime

from omnicart_loyalty import ledger
from omnicart_loyalty.ledger import Account, Entry


async def enrol(customer_id: int, *, now: datetime | None = None) -> Account:
    """Open ``customer_id``'s account (a new loyalty id, no points) unless they have one;
    the account. The caller checks the customer exists in Omnicart."""
    async with ledger.opened() as engine:
        return await ledger.enrol(engine, customer_id, now=now or datetime.now(UTC))


async def account(customer_id: int) -> Account | None:
    """The customer's loyalty id and points; None before their first earn or enrolment."""
    async with ledger.opened() as engine, engine.connect() as connection:
        if not await ledger.has_tables(connection):
            return None
        return await ledger.account_of(connection, customer_id)


async def history(customer_id: int) -> list[Entry]:
    """The customer's ledger entries (earned, spent, given back), oldest first."""
    async with ledger.opened() as engine, engine.connect() as connection:
        if not await ledger.has_tables(connection):
            return []
        return await ledger.entries_of(connection, customer_id)
