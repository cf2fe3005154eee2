"""Norwegian national identity numbers (fødselsnummer and D-nummer).

Eleven digits: birth date DDMMYY, a three-digit individual number, and two check digits
(modulus 11). Variants accepted:

- D-number: 40 added to the day (persons without a fødselsnummer);
- H-number: 40 added to the month (help numbers used in the health service);
- synthetic test numbers: 80 added to the month (the convention of the national test
  data service), so tests never carry a real person's number.

The number is health-related personal data: it is never put in a URL or a log line, and
``repr`` of an :class:`IdentityNumber` masks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidValue

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    k = 11 - remainder
    if k == 11:
        return 0
    if k == 10:
        return None
    return k


def _century(year2: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and year2 >= 54:
        return 1800
    if individual >= 500 and year2 <= 39:
        return 2000
    if individual >= 900 and year2 >= 40:
        return 1900
    return None


@dataclass(frozen=True)
class IdentityNumber:
    """A validated fødselsnummer or D-number. Construct with :meth:`parse`."""

    value: str
    birth_date: date
    kind: str  # "fnr", "d-number", "h-number" or "synthetic"

    def __repr__(self) -> str:  # never show the number in logs or tracebacks
        return f"IdentityNumber(***********, kind={self.kind})"

    __str__ = __repr__

    @classmethod
    def parse(cls, raw: str, *, field: str = "identity_number") -> IdentityNumber:
        text = (raw or "").replace(" ", "")
        if len(text) != 11 or not text.isdigit():
            raise InvalidValue(field, "an identity number has exactly 11 digits")
        digits = [int(c) for c in text]
        if _check_digit(digits[:9], _W1) != digits[9]:
            raise InvalidValue(field, "the first check digit is wrong")
        if _check_digit(digits[:10], _W2) != digits[10]:
            raise InvalidValue(field, "the second check digit is wrong")
        day, month, year2 = int(text[0:2]), int(text[2:4]), int(text[4:6])
        individual = int(text[6:9])
        kind = "fnr"
        if day > 40:
            day -= 40
            kind = "d-number"
        if month > 80:
            month -= 80
            kind = "synthetic"
        elif month > 40:
            month -= 40
            kind = "h-number"
        century = _century(year2, individual)
        if century is None:
            raise InvalidValue(field, "the individual number does not fit the birth year")
        try:
            born = date(century + year2, month, day)
        except ValueError:
            raise InvalidValue(field, "the first six digits are not a valid birth date") from None
        return cls(value=text, birth_date=born, kind=kind)


def with_check_digits(nine: str) -> str | None:
    """The eleven-digit number for nine leading digits, or None if no check digit fits."""
    digits = [int(c) for c in nine]
    k1 = _check_digit(digits, _W1)
    if k1 is None:
        return None
    k2 = _check_digit([*digits, k1], _W2)
    if k2 is None:
        return None
    return f"{nine}{k1}{k2}"


def synthetic_identity_number(born: date, serial: int = 0) -> str:
    """A synthetic number (month + 80) with valid check digits, for tests and demo data.

    ``serial`` picks among the valid individual numbers for that birth date, so many
    distinct persons can share one birth date.
    """
    if 1900 <= born.year <= 1999:
        individuals = range(0, 500)
    elif 2000 <= born.year <= 2039:
        individuals = range(500, 1000)
    else:
        raise ValueError("synthetic numbers are made for births 1900–2039")
    head = f"{born.day:02d}{born.month + 80:02d}{born.year % 100:02d}"
    found = -1
    for individual in individuals:
        number = with_check_digits(f"{head}{individual:03d}")
        if number is None:
            continue
        found += 1
        if found == serial:
            return number
    raise ValueError("no more synthetic numbers for that birth date")


def age_on(born: date, on: date) -> int:
    """Whole years of age on a date (R3 uses the date of the decision)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
