"""Customer use cases: register, log in and out, change the password, authenticate.

Passwords are verified and hashed between transactions, never inside one: an argon2
hash takes tens of milliseconds, and a transaction held open that long would hold a
connection (and on SQLite the database's write lock) for nothing. What was read before
the hash is checked again when writing (``password_hash`` still the one verified).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select, update

from core.customers import passwords, queries, throttle, tokens
from core.customers.model import Customer, CustomerSession, IssuedSession, VerifiedCredentials
from core.customers.tables import CustomerRow, CustomerSessionRow
from core.db import table_of
from core.db.uniqueness import insert_unique, is_taken
from core.errors import DomainError, ErrorCode, Problem
from core.ids import CustomerId, CustomerSessionId
from core.runtime import Runtime
from core.uow import UnitOfWork
from core.validation import email_problems, normalise_email, text_problems

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH: Final = 200
# ``last_used_at`` is refreshed at most this often, so reading with a session is not
# a write per request.
TOUCH_INTERVAL: Final = timedelta(minutes=1)

_customers = table_of(CustomerRow)
_sessions = table_of(CustomerSessionRow)
_CUSTOMER_COLUMNS = (
    _customers.c.id,
    _customers.c.email,
    _customers.c.name,
    _customers.c.created_at,
    _customers.c.updated_at,
)


async def register(uow: UnitOfWork, *, email: str, password: str, name: str) -> Customer:
    """Create an account; the email is stored in lower case and must be unused.

    Raises ``DomainError``: ``REQUIRED``, ``INVALID_EMAIL``, ``EMAIL_TAKEN``,
    ``PASSWORD_TOO_WEAK``, ``INVALID`` (name or password too long).
    """
    address = normalise_email(email)
    password = passwords.normalise(password)
    name = name.strip()
    problems = [
        *email_problems(address),
        *passwords.password_problems(password, email=address),
        *text_problems(name, field="name", max_length=NAME_MAX_LENGTH),
    ]
    if problems:
        raise DomainError(problems)
    password_hash = await passwords.hash_password(password)
    async with uow:
        now = uow.clock.now()
        if await is_taken(uow.session, _customers, "email", address):
            raise DomainError([_email_taken(address)])
        customer_id = await insert_unique(
            uow.session,
            _customers,
            {
                "email": address,
                "name": name,
                "password_hash": password_hash,
                "created_at": now,
                "updated_at": now,
            },
            column="email",
            taken=_email_taken,
        )
        await uow.commit()
    logger.info("customer registered customer_id=%d", customer_id)
    return Customer(
        id=CustomerId(customer_id), email=address, name=name, created_at=now, updated_at=now
    )


async def log_in(
    uow: UnitOfWork, *, email: str, password: str, lifetime: timedelta
) -> IssuedSession:
    """Check the password and open a session lasting ``lifetime``.

    ``check_credentials`` and then ``open_session`` in a transaction of its own; a
    caller that does more in the login's transaction (a cart merge) composes the two.
    Raises ``DomainError``: ``REQUIRED``, ``INVALID_CREDENTIALS``, ``TOO_MANY_ATTEMPTS``.
    """
    verified = await check_credentials(uow, email=email, password=password)
    async with uow:
        issued = await open_session(uow, verified, lifetime=lifetime)
        await uow.commit()
    return issued


async def check_credentials(uow: UnitOfWork, *, email: str, password: str) -> VerifiedCredentials:
    """Verify a password for an email; use it outside the unit of work's block.

    Counts the attempt (``throttle``) in a short transaction of its own, committed
    whatever the outcome, then verifies outside any transaction. An unknown email
    costs one verification too, and both failures read the same, so neither the
    answer nor its timing tells whether the address has an account.
    Raises ``DomainError``: ``REQUIRED``, ``INVALID_CREDENTIALS``, ``TOO_MANY_ATTEMPTS``.
    """
    address = normalise_email(email)
    password = passwords.normalise(password)
    problems: list[Problem] = []
    if not address:
        problems.append(Problem(ErrorCode.REQUIRED, "Email must not be blank", "email"))
    if not password:
        problems.append(Problem(ErrorCode.REQUIRED, "Password must not be blank", "password"))
    if problems:
        raise DomainError(problems)
    if email_problems(address) or len(password) > passwords.MAX_LENGTH:
        # No account has such an address or password: nothing to count or verify.
        raise _invalid_credentials()
    async with uow:
        if not await throttle.claim_attempt(uow.session, email=address, now=uow.clock.now()):
            logger.warning("customer login refused code=%s", ErrorCode.TOO_MANY_ATTEMPTS)
            raise throttle.too_many_attempts()
        row = (
            await uow.session.execute(
                select(_customers.c.id, _customers.c.password_hash).where(
                    _customers.c.email == address
                )
            )
        ).first()
        await uow.commit()
    if row is None:
        await passwords.spend_a_verification(password)
        raise _invalid_credentials()
    if not await passwords.verify(row.password_hash, password):
        raise _invalid_credentials()
    new_hash = None
    if passwords.needs_rehash(row.password_hash):
        new_hash = await passwords.hash_password(password)
    return VerifiedCredentials(
        customer_id=CustomerId(row.id),
        email=address,
        password_hash=row.password_hash,
        new_hash=new_hash,
    )


async def open_session(
    uow: UnitOfWork, verified: VerifiedCredentials, *, lifetime: timedelta
) -> IssuedSession:
    """Open a session for checked credentials, inside the caller's block; it commits.

    The account row is locked first (a guarded UPDATE that also stores a rehashed
    password), so a password change racing this login either refuses it or, running
    after it, revokes the session it opened.
    Raises ``DomainError`` ``INVALID_CREDENTIALS`` when the password changed meanwhile.
    """
    now = uow.clock.now()
    session = uow.session
    row = (
        await session.execute(
            update(_customers)
            .where(
                _customers.c.id == verified.customer_id,
                _customers.c.password_hash == verified.password_hash,
            )
            .values(password_hash=verified.new_hash or verified.password_hash)
            .returning(*_CUSTOMER_COLUMNS)
        )
    ).first()
    if row is None:
        raise _invalid_credentials()
    await throttle.forget_attempts(session, email=verified.email)
    token, prefix = tokens.new_token()
    expires_at = now + lifetime
    session_id = (
        await session.execute(
            _sessions.insert()
            .values(
                customer_id=verified.customer_id,
                token_hash=tokens.digest(token),
                prefix=prefix,
                created_at=now,
                expires_at=expires_at,
                last_used_at=now,
            )
            .returning(_sessions.c.id)
        )
    ).scalar_one()
    logger.info("customer logged in customer_id=%d session=%s", row.id, prefix)
    return IssuedSession(
        customer=_customer(row),
        session_id=CustomerSessionId(session_id),
        expires_at=expires_at,
        token=token,
    )


async def log_out(uow: UnitOfWork, *, session_id: CustomerSessionId) -> None:
    """Revoke one session (the one presented); revoking it twice is harmless."""
    async with uow:
        await uow.session.execute(
            update(_sessions)
            .where(_sessions.c.id == session_id, _sessions.c.revoked_at.is_(None))
            .values(revoked_at=uow.clock.now())
        )
        await uow.commit()


async def change_password(
    uow: UnitOfWork,
    *,
    customer_id: CustomerId,
    session_id: CustomerSessionId,
    current_password: str,
    new_password: str,
) -> Customer:
    """Replace the password, given the current one; every session but ``session_id`` ends.

    The current password is checked like a login's (counted by ``throttle``), so a
    stolen session cannot be used to guess it.
    Raises ``DomainError``: ``REQUIRED``, ``PASSWORD_TOO_WEAK``, ``INVALID``,
    ``INVALID_CREDENTIALS``, ``TOO_MANY_ATTEMPTS``, ``NOT_FOUND``.
    """
    current = passwords.normalise(current_password)
    new = passwords.normalise(new_password)
    async with uow:
        row = (
            await uow.session.execute(
                select(_customers.c.email, _customers.c.password_hash).where(
                    _customers.c.id == customer_id
                )
            )
        ).first()
        if row is None:
            raise DomainError.single(ErrorCode.NOT_FOUND, "The account no longer exists")
        problems = passwords.password_problems(new, email=row.email, field="new_password")
        if not current:
            problems.insert(
                0, Problem(ErrorCode.REQUIRED, "Password must not be blank", "current_password")
            )
        if problems:
            raise DomainError(problems)
        if not await throttle.claim_attempt(uow.session, email=row.email, now=uow.clock.now()):
            raise throttle.too_many_attempts("current_password")
        await uow.commit()
    if not await passwords.verify(row.password_hash, current):
        raise DomainError.single(
            ErrorCode.INVALID_CREDENTIALS, "The current password is wrong", "current_password"
        )
    new_hash = await passwords.hash_password(new)
    async with uow:
        now = uow.clock.now()
        changed = (
            await uow.session.execute(
                update(_customers)
                .where(
                    _customers.c.id == customer_id,
                    _customers.c.password_hash == row.password_hash,
                )
                .values(password_hash=new_hash, updated_at=now)
                .returning(*_CUSTOMER_COLUMNS)
            )
        ).first()
        if changed is None:
            raise DomainError.single(
                ErrorCode.INVALID_CREDENTIALS,
                "The password was changed by another request meanwhile; try again",
                "current_password",
            )
        revoked = await uow.session.execute(
            update(_sessions)
            .where(
                _sessions.c.customer_id == customer_id,
                _sessions.c.id != session_id,
                _sessions.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(_sessions.c.id)
        )
        other_sessions = len(revoked.all())
        await throttle.forget_attempts(uow.session, email=row.email)
        await uow.commit()
    logger.info(
        "customer password changed customer_id=%d sessions_revoked=%d",
        customer_id,
        other_sessions,
    )
    return _customer(changed)


async def authenticate(runtime: Runtime, *, token: str) -> CustomerSession | None:
    """The live session behind a bearer token; None if malformed, unknown, revoked or expired.

    One read; ``last_used_at`` is written only when it is a minute old or more, in a
    guarded UPDATE, so concurrent requests write it once between them.
    """
    now = runtime.clock.now()
    async with runtime.reads.connect() as connection:
        found = await queries.session_for_token(connection, token, now=now)
    if found is None:
        return None
    if found.last_used_at is None or now - found.last_used_at >= TOUCH_INTERVAL:
        await _touch(runtime.uow(), session_id=found.id, now=now)
        found = dataclasses.replace(found, last_used_at=now)
    return found


async def _touch(uow: UnitOfWork, *, session_id: CustomerSessionId, now: datetime) -> None:
    async with uow:
        await uow.session.execute(
            update(_sessions)
            .where(
                _sessions.c.id == session_id,
                (_sessions.c.last_used_at.is_(None))
                | (_sessions.c.last_used_at <= now - TOUCH_INTERVAL),
            )
            .values(last_used_at=now)
        )
        await uow.commit()


def _customer(row: Any) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        email=row.email,
        name=row.name,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _email_taken(_address: str) -> Problem:
    return Problem(ErrorCode.EMAIL_TAKEN, "An account with this email already exists", "email")


def _invalid_credentials() -> DomainError:
    logger.warning("customer login refused code=%s", ErrorCode.INVALID_CREDENTIALS)
    return DomainError.single(ErrorCode.INVALID_CREDENTIALS, "The email or password is wrong")
