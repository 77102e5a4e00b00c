"""Password rules and argon2id hashing (issue 5, point 1)."""

from __future__ import annotations

import asyncio

import pytest
from argon2 import PasswordHasher

from core.customers import passwords
from core.errors import ErrorCode


async def test_a_hash_is_argon2id_with_a_salt_and_never_contains_the_password() -> None:
    password = "correct horse battery"

    first = await passwords.hash_password(password)
    second = await passwords.hash_password(password)

    assert first.startswith("$argon2id$")
    assert password not in first
    assert first != second
    assert await passwords.verify(first, password)
    assert not await passwords.verify(first, "correct horse battery!")


def test_the_dummy_hash_costs_what_a_real_one_costs() -> None:
    assert passwords.DUMMY_HASH.startswith("$argon2id$")

    needs_rehash = passwords.needs_rehash(passwords.DUMMY_HASH)

    assert needs_rehash is False


async def test_a_hash_made_with_older_parameters_needs_rehash() -> None:
    older = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("hunter2hunter2")

    assert passwords.needs_rehash(older)
    assert await passwords.verify(older, "hunter2hunter2")
    assert not passwords.needs_rehash(await passwords.hash_password("hunter2hunter2"))


async def test_an_unreadable_hash_refuses_the_password() -> None:
    verified = await passwords.verify("not-a-hash", "correct horse battery")

    assert verified is False


async def test_verifying_leaves_the_event_loop_free_for_other_requests() -> None:
    password_hash = await passwords.hash_password("correct horse battery")
    ticks = 0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    async def verify() -> None:
        for _ in range(3):
            await passwords.verify(password_hash, "correct horse battery")
        done.set()

    await asyncio.gather(tick(), verify())

    # Three verifications take tens of milliseconds; on a blocked loop the ticker
    # would get at most one turn between them.
    assert ticks >= 6


async def test_the_same_password_with_composed_or_decomposed_accents_matches() -> None:
    composed = passwords.normalise("caf\u00e9 cr\u00e8me br\u00fbl\u00e9e")
    decomposed = passwords.normalise("cafe\u0301 cre\u0300me bru\u0302le\u0301e")

    password_hash = await passwords.hash_password(composed)

    assert await passwords.verify(password_hash, decomposed)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", ErrorCode.REQUIRED),
        ("short12", ErrorCode.PASSWORD_TOO_WEAK),
        ("Ann@Example.com", ErrorCode.PASSWORD_TOO_WEAK),
        ("x" * 257, ErrorCode.INVALID),
    ],
)
def test_weak_or_oversized_passwords_are_refused(password: str, code: ErrorCode) -> None:
    problems = passwords.password_problems(password, email="ann@example.com")

    assert [problem.code for problem in problems] == [code]
    assert problems[0].field == "password"


@pytest.mark.parametrize("password", ["eight888", "x" * 256, "ann@example.org"])
def test_passwords_of_eight_to_256_characters_are_accepted(password: str) -> None:
    problems = passwords.password_problems(password, email="ann@example.com")

    assert problems == []
