"""Customer accounts and sessions through the services (issue 5, point 1)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from core.clock import FrozenClock
from core.customers import passwords, services
from core.customers.model import Customer
from core.customers.tables import CustomerRow, CustomerSessionRow
from core.db import table_of
from core.errors import DomainError, ErrorCode
from core.runtime import Runtime
from core.staff import queries as staff_queries
from tests.factories import (
    FROZEN_AT,
    StatementCounter,
    log_in_customer,
    make_customer,
    row_counts,
    staff_token,
)

customers = table_of(CustomerRow)
sessions = table_of(CustomerSessionRow)


def problems_of(error: DomainError) -> list[tuple[ErrorCode, str | None]]:
    return [(problem.code, problem.field) for problem in error.problems]


async def stored_hash(runtime: Runtime, email: str) -> str:
    async with runtime.engine.connect() as connection:
        statement = select(customers.c.password_hash).where(customers.c.email == email)
        password_hash: str = (await connection.execute(statement)).scalar_one()
    return password_hash


async def test_registering_stores_the_email_in_lower_case_and_only_an_argon2_hash(
    runtime: Runtime,
) -> None:
    customer = await make_customer(
        runtime, email="  Ann.Lee@Example.COM ", password="correct horse battery", name=" Ann "
    )

    assert (customer.email, customer.name) == ("ann.lee@example.com", "Ann")
    assert customer.created_at == customer.updated_at == FROZEN_AT
    password_hash = await stored_hash(runtime, "ann.lee@example.com")
    assert password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in password_hash


async def test_an_email_taken_in_any_case_is_refused_and_nothing_is_written(
    runtime: Runtime,
) -> None:
    await make_customer(runtime, email="ann@example.com")
    before = await row_counts(runtime)

    with pytest.raises(DomainError) as raised:
        await make_customer(runtime, email="ANN@Example.com", name="Another Ann")

    assert problems_of(raised.value) == [(ErrorCode.EMAIL_TAKEN, "email")]
    assert await row_counts(runtime) == before


async def test_every_problem_of_a_registration_is_reported_at_once(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as raised:
        await services.register(runtime.uow(), email="ann", password="short", name="  ")

    assert problems_of(raised.value) == [
        (ErrorCode.INVALID_EMAIL, "email"),
        (ErrorCode.PASSWORD_TOO_WEAK, "password"),
        (ErrorCode.REQUIRED, "name"),
    ]
    assert (await row_counts(runtime))["customers"] == 0


async def test_concurrent_registrations_of_one_email_let_exactly_one_through(
    runtime: Runtime,
) -> None:
    emails = ["ann@example.com", "ANN@example.com", "Ann@Example.Com"] * 4

    async def attempt(email: str) -> Customer | ErrorCode:
        try:
            return await make_customer(runtime, email=email)
        except DomainError as error:
            return error.problems[0].code

    results = await asyncio.gather(*(attempt(email) for email in emails))

    assert len([result for result in results if isinstance(result, Customer)]) == 1
    assert sorted(r for r in results if isinstance(r, ErrorCode)) == [ErrorCode.EMAIL_TAKEN] * 11
    assert (await row_counts(runtime))["customers"] == 1


async def test_logging_in_opens_a_session_that_its_token_authenticates(runtime: Runtime) -> None:
    customer = await make_customer(runtime, email="ann@example.com")

    issued = await log_in_customer(runtime, email="ANN@example.com", lifetime=timedelta(days=30))
    session = await services.authenticate(runtime, token=issued.token)

    assert issued.token.startswith("omcs_")
    assert issued.customer == customer
    assert issued.expires_at == FROZEN_AT + timedelta(days=30)
    assert session is not None
    assert (session.id, session.customer, session.expires_at) == (
        issued.session_id,
        customer,
        issued.expires_at,
    )
    assert issued.token not in repr(issued)
    async with runtime.engine.connect() as connection:
        row = (await connection.execute(select(sessions))).one()
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in [str(value) for value in row]


async def test_a_wrong_password_and_an_unknown_email_are_refused_alike(runtime: Runtime) -> None:
    await make_customer(runtime, email="ann@example.com", password="correct horse battery")
    refusals = []

    for email, password in [
        ("ann@example.com", "wrong horse battery"),
        ("bob@example.com", "correct horse battery"),
    ]:
        with pytest.raises(DomainError) as raised:
            await log_in_customer(runtime, email=email, password=password)
        refusals.append(raised.value.problems)

    assert refusals[0] == refusals[1]
    assert [problem.code for problem in refusals[0]] == [ErrorCode.INVALID_CREDENTIALS]
    assert (await row_counts(runtime))["customer_sessions"] == 0


async def test_blank_login_fields_are_required(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as raised:
        await log_in_customer(runtime, email=" ", password="")

    assert problems_of(raised.value) == [
        (ErrorCode.REQUIRED, "email"),
        (ErrorCode.REQUIRED, "password"),
    ]


async def test_a_session_past_its_expiry_no_longer_authenticates(
    runtime: Runtime, clock: FrozenClock
) -> None:
    await make_customer(runtime)
    issued = await log_in_customer(runtime, lifetime=timedelta(hours=1))

    clock.set(FROZEN_AT + timedelta(minutes=59))
    still_valid = await services.authenticate(runtime, token=issued.token)
    clock.set(FROZEN_AT + timedelta(hours=1))
    expired = await services.authenticate(runtime, token=issued.token)

    assert still_valid is not None
    assert expired is None


async def test_logging_out_ends_that_session_and_no_other(runtime: Runtime) -> None:
    await make_customer(runtime)
    phone = await log_in_customer(runtime)
    web = await log_in_customer(runtime)

    await services.log_out(runtime.uow(), session_id=phone.session_id)
    await services.log_out(runtime.uow(), session_id=phone.session_id)

    assert await services.authenticate(runtime, token=phone.token) is None
    assert await services.authenticate(runtime, token=web.token) is not None


async def test_malformed_unknown_and_staff_tokens_authenticate_no_one(runtime: Runtime) -> None:
    await make_customer(runtime)
    real = (await log_in_customer(runtime)).token
    staff = await staff_token(runtime)
    prefix, secret = real[:14], real[14:]
    forged = prefix + ("A" if secret[0] != "A" else "B") + secret[1:]

    found = [
        await services.authenticate(runtime, token=token)
        for token in ["", "omcs_", real[:-1], real + "x", real + "\n", forged, staff]
    ]

    assert found == [None] * 7


async def test_a_customer_token_is_no_staff_token(runtime: Runtime) -> None:
    await make_customer(runtime)
    issued = await log_in_customer(runtime)

    async with runtime.reads.connect() as connection:
        principal = await staff_queries.principal_for_token(connection, issued.token)

    assert principal is None


async def test_changing_the_password_ends_every_other_session_but_this_one(
    runtime: Runtime,
) -> None:
    customer = await make_customer(runtime, password="correct horse battery")
    phone = await log_in_customer(runtime)
    web = await log_in_customer(runtime)
    tablet = await log_in_customer(runtime)

    changed = await services.change_password(
        runtime.uow(),
        customer_id=customer.id,
        session_id=phone.session_id,
        current_password="correct horse battery",
        new_password="purple monkey dishwasher",
    )

    assert changed.updated_at == FROZEN_AT
    assert await services.authenticate(runtime, token=phone.token) is not None
    assert await services.authenticate(runtime, token=web.token) is None
    assert await services.authenticate(runtime, token=tablet.token) is None
    assert await log_in_customer(runtime, password="purple monkey dishwasher")
    with pytest.raises(DomainError) as raised:
        await log_in_customer(runtime, password="correct horse battery")
    assert problems_of(raised.value) == [(ErrorCode.INVALID_CREDENTIALS, None)]


async def test_a_wrong_current_password_changes_nothing(runtime: Runtime) -> None:
    customer = await make_customer(runtime, password="correct horse battery")
    phone = await log_in_customer(runtime)
    web = await log_in_customer(runtime)
    hash_before = await stored_hash(runtime, customer.email)

    with pytest.raises(DomainError) as raised:
        await services.change_password(
            runtime.uow(),
            customer_id=customer.id,
            session_id=phone.session_id,
            current_password="wrong horse battery",
            new_password="purple monkey dishwasher",
        )

    assert problems_of(raised.value) == [(ErrorCode.INVALID_CREDENTIALS, "current_password")]
    assert await stored_hash(runtime, customer.email) == hash_before
    assert await services.authenticate(runtime, token=web.token) is not None


async def test_a_weak_new_password_is_refused_with_the_field_at_fault(runtime: Runtime) -> None:
    customer = await make_customer(runtime, email="ann@example.com")
    phone = await log_in_customer(runtime)

    with pytest.raises(DomainError) as raised:
        await services.change_password(
            runtime.uow(),
            customer_id=customer.id,
            session_id=phone.session_id,
            current_password="",
            new_password="Ann@example.com",
        )

    assert problems_of(raised.value) == [
        (ErrorCode.REQUIRED, "current_password"),
        (ErrorCode.PASSWORD_TOO_WEAK, "new_password"),
    ]


async def test_logging_in_with_an_outdated_hash_stores_a_fresh_one(runtime: Runtime) -> None:
    customer = await make_customer(runtime, password="correct horse battery")
    older = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(
        "correct horse battery"
    )
    async with runtime.engine.begin() as connection:
        await connection.execute(
            update(customers).where(customers.c.id == customer.id).values(password_hash=older)
        )

    await log_in_customer(runtime, password="correct horse battery")

    fresh = await stored_hash(runtime, customer.email)
    assert fresh != older
    assert not passwords.needs_rehash(fresh)
    assert await passwords.verify(fresh, "correct horse battery")


async def test_reading_with_a_session_writes_its_last_use_at_most_once_a_minute(
    runtime: Runtime, clock: FrozenClock, count_statements: StatementCounter
) -> None:
    await make_customer(runtime)
    issued = await log_in_customer(runtime)

    count_statements.reset()
    clock.set(FROZEN_AT + timedelta(seconds=59))
    recent = await services.authenticate(runtime, token=issued.token)
    statements_when_recent = count_statements.count
    clock.set(FROZEN_AT + timedelta(seconds=60))
    stale = await services.authenticate(runtime, token=issued.token)

    assert recent is not None and recent.last_used_at == FROZEN_AT
    assert statements_when_recent == 1
    assert stale is not None and stale.last_used_at == FROZEN_AT + timedelta(seconds=60)
    async with runtime.engine.connect() as connection:
        last_used = (await connection.execute(select(sessions.c.last_used_at))).scalar_one()
    assert last_used == FROZEN_AT + timedelta(seconds=60)
