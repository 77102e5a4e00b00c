"""Password guessing is throttled per email address (issue 5, point 1)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.clock import FrozenClock
from core.customers import services
from core.customers.throttle import MAX_ATTEMPTS, WINDOW
from core.errors import DomainError, ErrorCode
from core.runtime import Runtime
from tests.factories import FROZEN_AT, log_in_customer, make_customer


async def refusal(runtime: Runtime, *, email: str, password: str) -> ErrorCode | None:
    try:
        await log_in_customer(runtime, email=email, password=password)
    except DomainError as error:
        return error.problems[0].code
    return None


async def test_after_too_many_wrong_passwords_even_the_right_one_waits_for_the_window(
    runtime: Runtime, clock: FrozenClock
) -> None:
    await make_customer(runtime, email="ann@example.com", password="correct horse battery")
    guesses = [
        await refusal(runtime, email="ann@example.com", password=f"guess number {n}")
        for n in range(MAX_ATTEMPTS)
    ]

    locked = await refusal(runtime, email="ANN@example.com", password="correct horse battery")
    clock.set(FROZEN_AT + WINDOW)
    after_the_window = await refusal(
        runtime, email="ann@example.com", password="correct horse battery"
    )

    assert guesses == [ErrorCode.INVALID_CREDENTIALS] * MAX_ATTEMPTS
    assert locked is ErrorCode.TOO_MANY_ATTEMPTS
    assert after_the_window is None


async def test_an_unknown_email_is_locked_out_the_same_way(runtime: Runtime) -> None:
    codes = [
        await refusal(runtime, email="nobody@example.com", password=f"guess number {n}")
        for n in range(MAX_ATTEMPTS + 1)
    ]

    assert codes == [ErrorCode.INVALID_CREDENTIALS] * MAX_ATTEMPTS + [ErrorCode.TOO_MANY_ATTEMPTS]


async def test_a_successful_login_starts_the_count_again(runtime: Runtime) -> None:
    await make_customer(runtime, email="ann@example.com", password="correct horse battery")

    for _ in range(2):
        for n in range(MAX_ATTEMPTS - 1):
            await refusal(runtime, email="ann@example.com", password=f"guess number {n}")
        success = await refusal(runtime, email="ann@example.com", password="correct horse battery")

        assert success is None


async def test_a_lockout_of_one_email_leaves_others_alone(runtime: Runtime) -> None:
    await make_customer(runtime, email="bob@example.com", password="correct horse battery")
    for n in range(MAX_ATTEMPTS + 1):
        await refusal(runtime, email="ann@example.com", password=f"guess number {n}")

    bob = await refusal(runtime, email="bob@example.com", password="correct horse battery")

    assert bob is None


async def test_concurrent_guesses_get_exactly_the_allowed_number_of_tries(
    runtime: Runtime,
) -> None:
    await make_customer(runtime, email="ann@example.com", password="correct horse battery")

    codes = await asyncio.gather(
        *(
            refusal(runtime, email="ann@example.com", password=f"guess number {n}")
            for n in range(2 * MAX_ATTEMPTS)
        )
    )

    assert sorted(code for code in codes if code is not None) == sorted(
        [ErrorCode.INVALID_CREDENTIALS] * MAX_ATTEMPTS
        + [ErrorCode.TOO_MANY_ATTEMPTS] * MAX_ATTEMPTS
    )


async def test_guessing_the_current_password_with_a_session_is_throttled_too(
    runtime: Runtime,
) -> None:
    customer = await make_customer(runtime, email="ann@example.com")
    stolen = await log_in_customer(runtime)
    codes = []

    for n in range(MAX_ATTEMPTS + 1):
        with pytest.raises(DomainError) as raised:
            await services.change_password(
                runtime.uow(),
                customer_id=customer.id,
                session_id=stolen.session_id,
                current_password=f"guess number {n}",
                new_password="purple monkey dishwasher",
            )
        codes.append(raised.value.problems[0].code)

    assert codes == [ErrorCode.INVALID_CREDENTIALS] * MAX_ATTEMPTS + [ErrorCode.TOO_MANY_ATTEMPTS]


async def test_the_lock_lasts_one_window_from_the_first_attempt(
    runtime: Runtime, clock: FrozenClock
) -> None:
    await make_customer(runtime, email="ann@example.com", password="correct horse battery")
    for n in range(MAX_ATTEMPTS):
        clock.set(FROZEN_AT + timedelta(minutes=n))
        await refusal(runtime, email="ann@example.com", password=f"guess number {n}")

    clock.set(FROZEN_AT + WINDOW - timedelta(seconds=1))
    still_locked = await refusal(runtime, email="ann@example.com", password="correct horse battery")
    clock.set(FROZEN_AT + WINDOW)
    unlocked = await refusal(runtime, email="ann@example.com", password="correct horse battery")

    assert still_locked is ErrorCode.TOO_MANY_ATTEMPTS
    assert unlocked is None
