"""Input rules shared by services: slugs, plain text fields and email addresses.

Each check returns the problems it found (none when the value is fine), so a
service can gather every problem of a request before raising one ``DomainError``.
"""

from __future__ import annotations

import re

from core.errors import ErrorCode, Problem

SLUG_MAX_LENGTH = 128
# RFC 5321: a path is at most 256 octets with its angle brackets, a local part 64.
EMAIL_MAX_LENGTH = 254
_EMAIL_LOCAL_MAX_LENGTH = 64
# Lower-case ASCII letters, digits and hyphens; no hyphen at either end, so a slug
# is safe in a URL path as typed and never collides with a trailing separator.
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def slug_problems(
    slug: str, *, field: str = "slug", max_length: int = SLUG_MAX_LENGTH
) -> list[Problem]:
    """``INVALID_SLUG`` unless ``slug`` is 1 to ``max_length`` characters of a-z, 0-9 and ``-``."""
    if len(slug) > max_length or not _SLUG.fullmatch(slug):
        return [
            Problem(
                ErrorCode.INVALID_SLUG,
                f"A slug is 1 to {max_length} lower-case letters, digits and hyphens, "
                "not starting or ending with a hyphen",
                field,
            )
        ]
    return []


def text_problems(
    value: str, *, field: str, max_length: int, required: bool = True, label: str | None = None
) -> list[Problem]:
    """``REQUIRED`` for blank required text, ``INVALID`` for text over ``max_length``."""
    label = label or field.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    if required and not value.strip():
        return [Problem(ErrorCode.REQUIRED, f"{label} must not be blank", field)]
    if len(value) > max_length:
        return [
            Problem(ErrorCode.INVALID, f"{label} must be at most {max_length} characters", field)
        ]
    return []


# A syntactic check, not RFC 5322 in full: one "@"; a local part of printable
# characters without spaces, quotes, brackets, commas, colons, semicolons or
# backslashes, and without a dot at either end or two in a row; a domain of two or
# more labels of letters (any script), digits and inner hyphens, whose last label is
# not all digits (no bare IP addresses). Whether the address receives mail is for a
# confirmation email to find out, which no syntax check can.
_EMAIL_LOCAL = re.compile(r"[^\s\x00-\x1f\x7f@\"(),:;<>\[\]\\]+")
_EMAIL_LABEL = re.compile(r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?")


def normalise_email(email: str) -> str:
    """The form addresses are stored and compared in: trimmed and in lower case."""
    return email.strip().lower()


def email_problems(email: str, *, field: str = "email") -> list[Problem]:
    """``REQUIRED`` for a blank address, ``INVALID_EMAIL`` for one that cannot be an address.

    Pass the address through ``normalise_email`` first.
    """
    if not email:
        return [Problem(ErrorCode.REQUIRED, "Email must not be blank", field)]
    if not _is_email(email):
        return [
            Problem(
                ErrorCode.INVALID_EMAIL, "This is not an email address like name@example.com", field
            )
        ]
    return []


def _is_email(email: str) -> bool:
    if len(email) > EMAIL_MAX_LENGTH or email.count("@") != 1:
        return False
    local, domain = email.split("@")
    if len(local) > _EMAIL_LOCAL_MAX_LENGTH or not _EMAIL_LOCAL.fullmatch(local):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    labels = domain.split(".")
    return (
        len(labels) >= 2
        and all(_EMAIL_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )
