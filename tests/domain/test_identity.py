from datetime import date

import pytest

from domain.errors import InvalidValue
from domain.identity import IdentityNumber, age_on, synthetic_identity_number, with_check_digits


def test_synthetic_numbers_have_valid_check_digits_and_birth_date():
    for serial in range(50):
        number = synthetic_identity_number(date(1941, 11, 30), serial)
        parsed = IdentityNumber.parse(number)
        assert parsed.birth_date == date(1941, 11, 30)
        assert parsed.kind == "synthetic"


def test_a_known_valid_fodselsnummer_is_accepted():
    # 01010750160 is a published valid test fødselsnummer (1 January 2007).
    parsed = IdentityNumber.parse("01010750160")
    assert parsed.birth_date == date(2007, 1, 1)
    assert parsed.kind == "fnr"


def _first_valid(prefix6: str, individuals: range = range(500)) -> str:
    for individual in individuals:
        number = with_check_digits(f"{prefix6}{individual:03d}")
        if number:
            return number
    raise AssertionError("no valid number")


def test_d_number_adds_forty_to_the_day():
    parsed = IdentityNumber.parse(_first_valid("450350"))  # day 05 + 40
    assert parsed.kind == "d-number"
    assert parsed.birth_date == date(1950, 3, 5)


def test_h_number_adds_forty_to_the_month():
    parsed = IdentityNumber.parse(_first_valid("054350"))  # month 03 + 40
    assert parsed.kind == "h-number"
    assert parsed.birth_date == date(1950, 3, 5)


@pytest.mark.parametrize("raw, problem", [
    ("1234567890", "11 digits"),
    ("abcdefghijk", "11 digits"),
    ("01010750161", "second check digit"),
    ("01010750170", "first check digit"),
])
def test_bad_identity_numbers_are_refused_with_the_reason(raw, problem):
    with pytest.raises(InvalidValue) as err:
        IdentityNumber.parse(raw)
    assert problem in str(err.value)
    assert err.value.field == "identity_number"


def test_impossible_birth_date_is_refused():
    with pytest.raises(InvalidValue, match="birth date"):
        IdentityNumber.parse(_first_valid("310250"))  # 31 February 1950


def test_individual_number_must_fit_the_century():
    # individual numbers 750–899 exist for no birth year in the 1940s–1950s
    with pytest.raises(InvalidValue, match="individual number"):
        IdentityNumber.parse(_first_valid("010150", range(750, 900)))


def test_repr_never_shows_the_number():
    number = synthetic_identity_number(date(1940, 1, 2))
    parsed = IdentityNumber.parse(number)
    assert number not in repr(parsed)
    assert number not in str(parsed)


def test_r3_age_on_the_decision_date():
    assert age_on(date(1959, 6, 1), date(2026, 5, 31)) == 66
    assert age_on(date(1959, 6, 1), date(2026, 6, 1)) == 67
