"""The checks a mailing address passes before a cart stores it (issue 13).

Every field is trimmed first; a blank optional field is stored as None. Each problem
is a ``Problem`` on the field's path (``address.country_code``), and all of them are
reported together, so a form can mark every wrong field at once.

- ``first_name``, ``last_name``, ``line1``, ``city``: required, printable, bounded;
- ``postal_code``: required, at most 16 letters, digits, spaces and hyphens
  (``INVALID_POSTAL_CODE``): a sanity check that fits every country's format, not
  each country's own rule;
- ``country_code``: an ISO 3166-1 alpha-2 code assigned to a country, checked against
  pycountry's copy of the standard (``INVALID_COUNTRY_CODE``); lower case is accepted
  and stored in upper case;
- ``phone``: optional; digits, spaces and ``+ ( ) - .`` only, with 6 to 20 digits
  (``INVALID_PHONE``);
- ``company``, ``line2``: optional, printable, bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Final

import pycountry

from core.carts.addresses import MailingAddress
from core.errors import ErrorCode, Problem
from core.validation import text_problems

NAME_MAX_LENGTH: Final = 100
COMPANY_MAX_LENGTH: Final = 100
LINE_MAX_LENGTH: Final = 200
CITY_MAX_LENGTH: Final = 100
POSTAL_CODE_MAX_LENGTH: Final = 16
PHONE_MAX_LENGTH: Final = 32
PHONE_DIGITS: Final = (6, 20)

_POSTAL_CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?")
_PHONE = re.compile(r"[0-9 +()\-.]+")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True)
class MailingAddressInput:
    """An address as a client sent it: any field may be missing or blank."""

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    phone: str | None = None


def checked_address(
    given: MailingAddressInput, *, field: str = "address"
) -> tuple[MailingAddress | None, list[Problem]]:
    """The address to store, or None with every problem found (paths under ``field``)."""
    values = {item.name: (getattr(given, item.name) or "").strip() for item in fields(given)}
    problems: list[Problem] = []

    def text(name: str, label: str, max_length: int, *, required: bool) -> None:
        value = values[name]
        path = f"{field}.{name}"
        found = text_problems(
            value, field=path, max_length=max_length, required=required, label=label
        )
        if not found and not value.isprintable():
            found = [Problem(ErrorCode.INVALID, f"{label} must be one line of text", path)]
        problems.extend(found)

    text("first_name", "First name", NAME_MAX_LENGTH, required=True)
    text("last_name", "Last name", NAME_MAX_LENGTH, required=True)
    text("company", "Company", COMPANY_MAX_LENGTH, required=False)
    text("line1", "Address line 1", LINE_MAX_LENGTH, required=True)
    text("line2", "Address line 2", LINE_MAX_LENGTH, required=False)
    text("city", "City", CITY_MAX_LENGTH, required=True)
    problems += postal_code_problems(values["postal_code"], f"{field}.postal_code")
    values["country_code"] = values["country_code"].upper()
    problems += country_code_problems(values["country_code"], f"{field}.country_code")
    problems += phone_problems(values["phone"], f"{field}.phone")
    if problems:
        return None, problems
    return (
        MailingAddress(
            first_name=values["first_name"],
            last_name=values["last_name"],
            line1=values["line1"],
            postal_code=values["postal_code"],
            city=values["city"],
            country_code=values["country_code"],
            company=values["company"] or None,
            line2=values["line2"] or None,
            phone=values["phone"] or None,
        ),
        [],
    )


def postal_code_problems(postal_code: str, field: str) -> list[Problem]:
    """``REQUIRED`` when blank, ``INVALID_POSTAL_CODE`` unless it could be a postal code."""
    if not postal_code:
        return [Problem(ErrorCode.REQUIRED, "Postal code must not be blank", field)]
    if len(postal_code) > POSTAL_CODE_MAX_LENGTH or not _POSTAL_CODE.fullmatch(postal_code):
        return [
            Problem(
                ErrorCode.INVALID_POSTAL_CODE,
                f"A postal code is at most {POSTAL_CODE_MAX_LENGTH} letters, digits, "
                "spaces and hyphens",
                field,
            )
        ]
    return []


def country_code_problems(country_code: str, field: str) -> list[Problem]:
    """``REQUIRED`` when blank, ``INVALID_COUNTRY_CODE`` unless an assigned ISO 3166-1
    alpha-2 code (given in upper case)."""
    if not country_code:
        return [Problem(ErrorCode.REQUIRED, "Country code must not be blank", field)]
    if (
        not _COUNTRY_CODE.fullmatch(country_code)
        or pycountry.countries.get(alpha_2=country_code) is None
    ):
        return [
            Problem(
                ErrorCode.INVALID_COUNTRY_CODE,
                "This is not an ISO 3166-1 alpha-2 country code like DE or US",
                field,
            )
        ]
    return []


def phone_problems(phone: str, field: str) -> list[Problem]:
    """``INVALID_PHONE`` unless blank or a phone number as people write one."""
    if not phone:
        return []
    digits = sum(character.isdigit() for character in phone)
    low, high = PHONE_DIGITS
    if len(phone) > PHONE_MAX_LENGTH or not _PHONE.fullmatch(phone) or not low <= digits <= high:
        return [
            Problem(
                ErrorCode.INVALID_PHONE,
                f"A phone number has {low} to {high} digits, and only spaces and + ( ) - . besides",
                field,
            )
        ]
    return []
