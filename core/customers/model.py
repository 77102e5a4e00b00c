"""Customer values: the account, a device's session and a freshly issued session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.ids import CustomerId, CustomerSessionId


@dataclass(frozen=True, slots=True)
class Customer:
    """One profile across every channel. ``email`` is stored in lower case."""

    id: CustomerId
    email: str
    name: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerSession:
    """A live login: what a valid session token speaks for."""

    id: CustomerSessionId
    customer: Customer
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A new login. ``token`` is shown once, to the customer, and kept out of ``repr``."""

    customer: Customer
    session_id: CustomerSessionId
    expires_at: datetime
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class VerifiedCredentials:
    """A password check that passed (``services.check_credentials``), ready for a session.

    ``password_hash`` is the hash the password was checked against: the session is only
    opened while the account still has it. ``new_hash`` replaces it when the stored
    parameters are outdated. Neither is the password, but both stay out of ``repr``.
    """

    customer_id: CustomerId
    email: str
    password_hash: str = field(repr=False)
    new_hash: str | None = field(repr=False)
