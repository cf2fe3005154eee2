"""The case number (saksnummer): a human number for a case, ``2026/0042``, per municipality
and year, assigned once when the application is received.

Numbers come from a **series** per municipality and year (:class:`CaseNumberSeries`, an
aggregate whose id is derived from the municipality and the year, so it is found without a
search). Issuing a number is an event on the series; the case records the number it got in
an event of its own (:class:`~domain.case.Case.CaseNumberAssigned`), and both are saved in
the application's one transaction with optimistic concurrency on the series: of two
applications registered at the same moment, one save succeeds and the other fails on the
series' version and is retried with the next number (the application layer retries). So a
number is never given twice, and a number once given never changes (it is an event).

The number says nothing about the person. A series never goes back: a number issued to a
case stays that case's even if the case is later closed or rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Base, check_municipality
from domain.errors import InvalidValue

_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:case-number-series")
_PATTERN = re.compile(r"^\s*(\d{4})\s*/\s*(\d{1,6})\s*$")


@dataclass(frozen=True, order=True)
class CaseNumber:
    """``year/sequence``; written with at least four digits (``2026/0042``)."""

    year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.year}/{self.sequence:04d}"

    @classmethod
    def parse(cls, text: str) -> CaseNumber:
        """``2026/42``, ``2026/0042`` or ``2026 / 0042``; anything else is refused."""
        found = _PATTERN.match(text or "")
        if found is None or int(found.group(2)) == 0:
            raise InvalidValue("case_number", "a case number is written year/number, "
                               "e.g. 2026/0042")
        return cls(int(found.group(1)), int(found.group(2)))

    @staticmethod
    def looks_like(text: str) -> bool:
        return _PATTERN.match(text or "") is not None


def series_id(municipality: str, year: int) -> UUID:
    """The series' id: from the municipality and the year."""
    return uuid5(_NS, f"{municipality}/{year}")


class CaseNumberSeries(Base):
    """The numbers issued in one municipality in one year (a counter, as events)."""

    #: Issuing a number writes nobody's personal data: the save of the series alone is no
    #: access to a person (the case saved with it is).
    access_neutral = True

    class Started(Base.Created):
        year: int

    class NumberIssued(Base.Event):
        case_id: UUID
        sequence: int

        def on(self, series: CaseNumberSeries) -> None:
            series.last = self.sequence

    def __init__(self, municipality: str, command_id: str | None, year: int) -> None:
        super().__init__(municipality, command_id)
        self.year = year
        self.last = 0

    @classmethod
    def start(cls, now: datetime, *, municipality: str, year: int,
              command_id: str | None = None) -> CaseNumberSeries:
        """A new series (by the command that first needs it)."""
        check_municipality(municipality)
        return cls._create(cls.Started, id=series_id(municipality, year), timestamp=now,
                           municipality=municipality, command_id=command_id, year=year)

    def issue(self, now: datetime, *, case_id: UUID, command_id: str | None = None
              ) -> CaseNumber:
        """The next number of the series, for ``case_id``."""
        self.trigger_event(self.NumberIssued, timestamp=now, command_id=command_id,
                           case_id=case_id, sequence=self.last + 1)
        return CaseNumber(self.year, self.last)


_BACKFILL_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:case-number-backfill")


def backfill_id() -> UUID:
    """The one record of how far the log has been searched for cases without a number."""
    return uuid5(_BACKFILL_NS, "all")


class CaseNumberBackfill(Base):
    """How far the log has been searched for cases recorded before case numbers existed
    (each found one given a number): the notification id up to which every application has
    a number. Applications recorded since carry theirs, so a later search starts there."""

    access_neutral = True

    class Started(Base.Created):
        pass

    class Searched(Base.Event):
        up_to: int

        def on(self, backfill: CaseNumberBackfill) -> None:
            backfill.searched_to = max(backfill.searched_to, self.up_to)

    def __init__(self, municipality: str, command_id: str | None) -> None:
        super().__init__(municipality, command_id)
        self.searched_to = 0

    @classmethod
    def start(cls, now: datetime) -> CaseNumberBackfill:
        return cls._create(cls.Started, id=backfill_id(), timestamp=now, municipality="0000",
                           command_id=None)

    def searched(self, now: datetime, up_to: int) -> None:
        if up_to > self.searched_to:
            self.trigger_event(self.Searched, timestamp=now, command_id=None, up_to=up_to)
