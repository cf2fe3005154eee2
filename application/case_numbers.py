"""Case numbers (saksnummer, :mod:`domain.case_number`): issued from the series of the
municipality and year when an application is received, in the application's event
(``ApplicationReceived`` version 3) saved with the series; and, once, for the cases recorded
before case numbers existed (``CaseNumberAssigned``).

**Unique under concurrency.** The application's save holds the case, the person's register
(R25) and the series with its new number: one transaction, optimistic concurrency on each.
Two applications received at the same moment load the series at the same version; one save
succeeds, the other fails on the series' version (``IntegrityError``) and
:func:`with_numbering` runs the command again, which loads the series anew and takes the
next number. Nothing is written by the failed attempt.

**Cases recorded before this release** (:meth:`CaseNumbering.assign_missing_case_numbers`):
every case whose application is in the log without a ``CaseNumberAssigned`` gets one, in the
order the applications were recorded, from the series of the year it was recorded, as an
event like any other (so it is immutable and replayed). The server runs it at start, and
``python -m application.cli assign-case-numbers`` does the same; it is idempotent. Until it
has run the read side shows such a case without a number (``case_number`` null; the pages
say "ikke tildelt"): nothing fails.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from application.base import ServiceBase
from application.errors import ConcurrencyConflict
from domain.base import local_date
from domain.case import Case
from domain.case_number import (
    CaseNumber,
    CaseNumberBackfill,
    CaseNumberSeries,
    backfill_id,
    series_id,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How many times a command that lost the race for the next number is run again.
ATTEMPTS = 8


def with_numbering(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (a command that takes a case number and saves) until its save is not
    beaten by another taking a number from the same series; the last conflict is raised
    as :class:`ConcurrencyConflict`."""
    for _ in range(ATTEMPTS - 1):
        try:
            return attempt()
        except SaveRaced:
            continue
    try:
        return attempt()
    except SaveRaced:
        raise ConcurrencyConflict("many applications were registered at the same time; "
                                  "nothing was saved — try again") from None


class SaveRaced(Exception):
    """The save failed on a version conflict (another save took the series' next number,
    or changed another aggregate of the save); the command is run again."""


class CaseNumbering(ServiceBase):
    """The case numbers' series."""

    def _series(self, municipality: str, now: datetime, year: int | None = None,
                command_id: str | None = None) -> CaseNumberSeries:
        """The series of the municipality and of ``year`` (default: the year of ``now``,
        Norwegian time)."""
        year = year or local_date(now).year
        found = self._exists(series_id(municipality, year))
        if isinstance(found, CaseNumberSeries):
            return found
        return CaseNumberSeries.start(now, municipality=municipality, year=year,
                                      command_id=command_id)

    def _next_number(self, municipality: str, case_id: UUID, now: datetime,
                     command_id: str | None = None) -> tuple[CaseNumberSeries, CaseNumber]:
        """Issue the next number of the municipality's series of this year to ``case_id``;
        the series is saved with the case."""
        series = self._series(municipality, now, command_id=command_id)
        return series, series.issue(now, case_id=case_id, command_id=command_id)

    @staticmethod
    def _save_numbered(save: Callable[[], object]) -> None:
        """Run ``save``; a version conflict becomes :class:`SaveRaced` (retried by
        :func:`with_numbering`)."""
        try:
            save()
        except IntegrityError:
            raise SaveRaced from None

    # --- cases recorded before case numbers existed ------------------------------------

    def case_ids_without_number(self) -> list[UUID]:
        """Every case whose application is in the log (past what an earlier search covered)
        and which has no case number, in the order the applications were recorded."""
        return self._applications_without_number()[0]

    def _applications_without_number(self) -> tuple[list[UUID], int]:
        """The case of each application without a number after the point an earlier
        search reached, in the order recorded; and the newest notification id searched."""
        found = self._exists(backfill_id())
        start = found.searched_to + 1 if isinstance(found, CaseNumberBackfill) else 1
        topics = [get_topic(Case.ApplicationReceived), "domain.case:Case.ApplicationReceived"]
        out: list[UUID] = []
        last = start - 1
        while True:  # the applications' events only, decoded (and upcast) to read the number
            batch = self.recorder.select_notifications(start=start, limit=1000, topics=topics)
            if not batch:
                return out, last
            for notification in batch:
                event = self.mapper.to_domain_event(notification)
                if getattr(event, "case_number", None) is None:
                    out.append(event.originator_id)
            last = batch[-1].id
            start = last + 1

    def assign_missing_case_numbers(self, chunk: int = 200) -> int:
        """Give every case without a number one (see the module docstring), ``chunk`` cases
        and their series a save; returns how many were given. Idempotent; a later call
        searches only the log recorded since (:class:`CaseNumberBackfill`)."""
        pending, last = self._applications_without_number()
        series: dict[tuple[str, int], CaseNumberSeries] = {}
        given = 0
        for i in range(0, len(pending), chunk):
            part = pending[i:i + chunk]
            given += with_numbering(lambda part=part: self._assign_chunk(part, series))
        if last > 0:
            now = self._now()
            found = self._exists(backfill_id())
            marker = found if isinstance(found, CaseNumberBackfill) else \
                CaseNumberBackfill.start(now)
            marker.searched(now, last)
            with contextlib.suppress(IntegrityError):  # another process recorded it
                self.save(marker)
        if given:
            log.info("case numbers assigned to %d earlier cases", given)
        return given

    def _assign_chunk(self, part: list[UUID],
                      series: dict[tuple[str, int], CaseNumberSeries]) -> int:
        """Number the cases of ``part`` that still have none, in order, and save them with
        their series in one transaction (``series``: the series as last saved, kept
        between chunks; forgotten when a save loses a race)."""
        now = self._now()
        cases: list[Case] = []
        touched: dict[tuple[str, int], CaseNumberSeries] = {}
        for case_id in part:
            case = self._exists(case_id)
            if not isinstance(case, Case) or case.case_number is not None:
                continue
            key = (case.municipality, local_date(case.created_on).year)
            if key not in series:
                series[key] = self._series(key[0], now, key[1])
            number: CaseNumber = series[key].issue(now, case_id=case.id)
            case.assign_number(now, number)
            cases.append(case)
            touched[key] = series[key]
        if not cases:
            return 0
        try:
            self._save_numbered(lambda: self.save(*cases, *touched.values()))
        except SaveRaced:
            series.clear()
            raise
        return len(cases)
