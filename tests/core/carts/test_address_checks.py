"""The checks a mailing address passes before a cart stores it (issue 13)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.carts.address_checks import MailingAddressInput, checked_address
from core.carts.addresses import MailingAddress
from core.errors import ErrorCode

GOOD = MailingAddressInput(
    first_name="Ann",
    last_name="Lee",
    line1="Hauptstraße 5",
    postal_code="10115",
    city="Berlin",
    country_code="DE",
)


def problems_of(given: MailingAddressInput) -> list[tuple[ErrorCode, str | None]]:
    address, problems = checked_address(given)
    assert address is None
    return [(problem.code, problem.field) for problem in problems]


def test_an_address_is_stored_trimmed_with_its_country_in_upper_case() -> None:
    given = MailingAddressInput(
        first_name="  Ann ",
        last_name="Lee",
        company="  ",
        line1=" 1 Main St ",
        line2="Apt 4",
        postal_code=" SW1A 1AA ",
        city="London ",
        country_code=" gb ",
        phone=" +44 (0)20 7946-0018 ",
    )

    address, problems = checked_address(given)

    assert problems == []
    assert address == MailingAddress(
        first_name="Ann",
        last_name="Lee",
        line1="1 Main St",
        postal_code="SW1A 1AA",
        city="London",
        country_code="GB",
        company=None,
        line2="Apt 4",
        phone="+44 (0)20 7946-0018",
    )


def test_every_missing_required_field_is_reported_at_once() -> None:
    found = problems_of(MailingAddressInput(line2="Apt 4", phone=" "))

    assert found == [
        (ErrorCode.REQUIRED, "address.first_name"),
        (ErrorCode.REQUIRED, "address.last_name"),
        (ErrorCode.REQUIRED, "address.line1"),
        (ErrorCode.REQUIRED, "address.city"),
        (ErrorCode.REQUIRED, "address.postal_code"),
        (ErrorCode.REQUIRED, "address.country_code"),
    ]


@pytest.mark.parametrize("code", ["XX", "DEU", "D1", "UK", "EU", "d", "ÄÖ"])
def test_a_country_code_must_be_an_assigned_iso_3166_alpha_2_code(code: str) -> None:
    found = problems_of(replace(GOOD, country_code=code))

    assert found == [(ErrorCode.INVALID_COUNTRY_CODE, "address.country_code")]


@pytest.mark.parametrize("code", ["de", "US", "jp", "BR", "za", "NZ", "AQ"])
def test_every_assigned_country_code_is_accepted_in_either_case(code: str) -> None:
    address, problems = checked_address(replace(GOOD, country_code=code))

    assert problems == [] and address is not None
    assert address.country_code == code.upper()


@pytest.mark.parametrize("postal_code", ["10115", "SW1A 1AA", "1234-567", "K1A 0B1", "00-950"])
def test_postal_codes_of_many_formats_pass(postal_code: str) -> None:
    _, problems = checked_address(replace(GOOD, postal_code=postal_code))

    assert problems == []


@pytest.mark.parametrize("postal_code", ["1" * 17, "10115!", "-10115", "10115 -", "10_115", "١٢٣"])
def test_a_postal_code_of_other_characters_or_too_long_is_refused(postal_code: str) -> None:
    found = problems_of(replace(GOOD, postal_code=postal_code))

    assert found == [(ErrorCode.INVALID_POSTAL_CODE, "address.postal_code")]


@pytest.mark.parametrize("phone", ["123456", "+1 (555) 010-0199", "030.1234.5678", "1" * 20])
def test_phone_numbers_as_people_write_them_pass(phone: str) -> None:
    address, problems = checked_address(replace(GOOD, phone=phone))

    assert problems == [] and address is not None and address.phone == phone


@pytest.mark.parametrize(
    "phone", ["12345", "1" * 21, "+1 555 CALL NOW", "555-0199 ext 4", "#12345678"]
)
def test_a_phone_number_with_too_few_or_many_digits_or_other_characters_is_refused(
    phone: str,
) -> None:
    found = problems_of(replace(GOOD, phone=phone))

    assert found == [(ErrorCode.INVALID_PHONE, "address.phone")]


def test_text_that_is_too_long_or_not_one_line_is_refused() -> None:
    given = replace(
        GOOD,
        first_name="A" * 101,
        company="B" * 101,
        line1="1 Main St\nApt 4",
        line2="C" * 201,
        city="Berlin\x00",
    )

    found = problems_of(given)

    assert found == [
        (ErrorCode.INVALID, "address.first_name"),
        (ErrorCode.INVALID, "address.company"),
        (ErrorCode.INVALID, "address.line1"),
        (ErrorCode.INVALID, "address.line2"),
        (ErrorCode.INVALID, "address.city"),
    ]


def test_problems_are_reported_under_the_field_given() -> None:
    _, problems = checked_address(replace(GOOD, country_code="XX"), field="billing")

    assert [problem.field for problem in problems] == ["billing.country_code"]
