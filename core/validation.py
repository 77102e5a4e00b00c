"""Input rules shared by services: slugs and plain text fields.

Each check returns the problems it found (none when the value is fine), so a
service can gather every problem of a request before raising one ``DomainError``.
"""

from __future__ import annotations

import re

from core.errors import ErrorCode, Problem

SLUG_MAX_LENGTH = 128
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
