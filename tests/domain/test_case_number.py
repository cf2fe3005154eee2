"""The case number (saksnummer): how it is written and read, the series that issues it,
and that a case keeps the one it got."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.case import Case
from domain.case_number import CaseNumber, CaseNumberSeries, series_id
from domain.errors import InvalidValue
from domain.identity import synthetic_identity_number
from tests.builders import START


def test_case_number_is_written_year_slash_four_digits_and_read_leniently():
    assert str(CaseNumber(2026, 42)) == "2026/0042"
    assert str(CaseNumber(2026, 12345)) == "2026/12345"
    assert CaseNumber.parse(" 2026 / 42 ") == CaseNumber(2026, 42)
    assert CaseNumber.parse("2026/0042") == CaseNumber(2026, 42)
    for bad in ("", "2026", "2026/0", "26/42", "2026-0042", "2026/42a"):
        with pytest.raises(InvalidValue) as refused:
            CaseNumber.parse(bad)
        assert refused.value.field == "case_number"


def test_series_issues_the_next_number_of_its_municipality_and_year():
    series = CaseNumberSeries.start(START, municipality="4601", year=2026)
    assert series.id == series_id("4601", 2026) != series_id("0301", 2026)
    assert series_id("4601", 2026) != series_id("4601", 2027)
    first = series.issue(START, case_id=uuid4())
    second = series.issue(START, case_id=uuid4())
    assert (str(first), str(second)) == ("2026/0001", "2026/0002")
    assert series.last == 2


def test_a_case_keeps_the_number_it_got():
    case = Case.receive_application(
        START, municipality="4601", name="Kari Nordmann",
        identity_number=synthetic_identity_number(START.date().replace(year=1940), 1))
    assert case.case_number is None
    assert case.assign_number(START, CaseNumber(2026, 7)) is True
    assert case.assign_number(START, CaseNumber(2026, 8)) is False
    assert case.case_number == "2026/0007"
    assert [type(e).__name__ for e in case.collect_events()][-1] == "CaseNumberAssigned"
