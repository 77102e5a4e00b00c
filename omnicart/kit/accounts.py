"""Customers, their sessions and staff tokens, made through the services that issue them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.customers import services as customers
from core.customers.model import Customer, IssuedSession
from core.runtime import Runtime
from core.staff.model import Scope
from core.staff.services import create_token


async def staff_token(
    runtime: Runtime, *scopes: Scope, name: str = "test-staff", locations: Sequence[str] = ()
) -> str:
    """A staff token with ``scopes`` (every scope when none are given), acting only for
    the locations of the slugs ``locations`` (every location when none are given)."""
    issued = await create_token(
        runtime.uow(),
        name=name,
        scopes=[scope.value for scope in scopes or tuple(Scope)],
        locations=locations,
    )
    return issued.token


async def make_customer(
    runtime: Runtime,
    *,
    email: str = "ann@example.com",
    password: str = "correct horse battery",
    name: str = "Ann Lee",
) -> Customer:
    return await customers.register(runtime.uow(), email=email, password=password, name=name)


async def log_in_customer(
    runtime: Runtime,
    *,
    email: str = "ann@example.com",
    password: str = "correct horse battery",
    lifetime: timedelta = timedelta(days=30),
) -> IssuedSession:
    """A session for an account made by ``make_customer`` (a device that logged in)."""
    return await customers.log_in(runtime.uow(), email=email, password=password, lifetime=lifetime)


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for a staff or customer token."""
    return {"Authorization": f"Bearer {token}"}
