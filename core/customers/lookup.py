"""Who is buying at the till (issue 15): the shopper named by ``customerId``.

A customer's id (decoded from its global ID by the API layer) and an email address are
resolved here; anything else (a loyalty card number) is asked of the channel's plugins
through ``omnicart_customer_lookup`` (first non-None wins). Each answer must name an
existing customer, else ``CUSTOMER_NOT_FOUND``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from core.channels.model import Channel
from core.customers.tables import CustomerRow
from core.db import table_of
from core.db.reads import ReadConnection
from core.errors import DomainError, ErrorCode, PluginError
from core.ids import CustomerId
from core.plugin_host import PluginHost
from core.validation import normalise_email

HOOK = "omnicart_customer_lookup"

_customers = table_of(CustomerRow)
_BY_ID = select(_customers.c.id, _customers.c.email).where(
    _customers.c.id == bindparam("customer_id")
)
_BY_EMAIL = select(_customers.c.id, _customers.c.email).where(
    _customers.c.email == bindparam("email")
)


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """How the till named the shopper: a customer id (from a global ID), or text (an
    email address or an identifier a plugin knows)."""

    customer_id: CustomerId | None = None
    identifier: str = ""


@dataclass(frozen=True, slots=True)
class FoundCustomer:
    id: CustomerId
    email: str


async def resolve_customer(
    connection: ReadConnection,
    plugins: PluginHost,
    channel: Channel,
    ref: CustomerRef,
    *,
    field: str = "customer_id",
) -> FoundCustomer:
    """The customer ``ref`` names (see the module docstring).

    Raises ``DomainError`` (``CUSTOMER_NOT_FOUND``) or ``PluginError``.
    """
    customer_id = ref.customer_id
    identifier = ref.identifier.strip()
    if customer_id is None and "@" in identifier:
        row = (await connection.execute(_BY_EMAIL, {"email": normalise_email(identifier)})).first()
        if row is not None:
            return FoundCustomer(CustomerId(row.id), row.email)
    elif customer_id is None and identifier:
        found = await plugins.first_answer(
            HOOK, channel, {"channel": channel, "identifier": identifier}
        )
        if found is not None:
            plugin, answer = found
            if not isinstance(answer, int) or isinstance(answer, bool):
                raise PluginError(plugin, HOOK, TypeError("not a customer id"))
            customer_id = CustomerId(answer)
    if customer_id is not None:
        row = (await connection.execute(_BY_ID, {"customer_id": customer_id})).first()
        if row is not None:
            return FoundCustomer(CustomerId(row.id), row.email)
    raise DomainError.single(
        ErrorCode.CUSTOMER_NOT_FOUND, "No customer is known by this identifier", field
    )
