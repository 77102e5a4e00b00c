"""Shared input rules: email addresses (issue 5)."""

from __future__ import annotations

import pytest

from core.errors import ErrorCode
from core.validation import email_problems, normalise_email


def test_an_email_is_stored_trimmed_and_in_lower_case() -> None:
    normalised = normalise_email("  Ann.Lee+Shop@Example.COM ")

    assert normalised == "ann.lee+shop@example.com"


@pytest.mark.parametrize(
    "email",
    [
        "a@b.co",
        "ann.lee+shop@example.com",
        "o'brien@example.ie",
        "jos\u00e9@ex\u00e4mple.de",
        "ann@mail.xn--bcher-kva.example",
        "x" * 64 + "@example.com",
    ],
)
def test_plausible_addresses_are_accepted(email: str) -> None:
    assert email_problems(normalise_email(email)) == []


@pytest.mark.parametrize(
    "email",
    [
        "ann",
        "ann@example",
        "ann@@example.com",
        "ann@bob@example.com",
        "ann lee@example.com",
        ".ann@example.com",
        "ann.@example.com",
        "ann..lee@example.com",
        '"ann"@example.com',
        "ann@-example.com",
        "ann@example-.com",
        "ann@exa_mple.com",
        "ann@example..com",
        "ann@example.com.",
        "ann@192.168.0.1",
        "ann@[192.168.0.1]",
        "ann\x00@example.com",
        "x" * 65 + "@example.com",
        "ann@" + "a" * 64 + ".com",
        "ann@" + ("a" * 60 + ".") * 5 + "com",
    ],
)
def test_strings_that_cannot_be_addresses_are_refused(email: str) -> None:
    problems = email_problems(normalise_email(email))

    assert [(problem.code, problem.field) for problem in problems] == [
        (ErrorCode.INVALID_EMAIL, "email")
    ]


def test_a_blank_email_is_required() -> None:
    problems = email_problems(normalise_email("   "))

    assert [problem.code for problem in problems] == [ErrorCode.REQUIRED]
