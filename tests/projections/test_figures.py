"""The management figures from the derived tables — the statistics (R13), the activity
report (R22) and the deadline monitor (R18, R19), sums and counts by SQL over each
aggregate's rows (:mod:`projections.derived`) — equal the figures computed from the
documents, the computation before them (``tests/projections/reference_figures.py``), on a
generated history of three municipalities (``tests/projections/history.py``: a year of
applications, decisions, offers, declines, admissions, stays ending, deaths, breaches and
choices, places closed and reopened, other providers' places bought; here also short-term
stays bridging the wait), on SQLite and PostgreSQL:

- live, the read side fed in small batches while the story ran;
- after a rebuild (the derived rows written from each document's last version);
- as of past moments (the derived rows built in memory from the documents then);

for many "todays" (before, inside and after the story) and month ranges.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from projections.activity import activity_report
from projections.deadlines import deadline_monitor
from projections.read_side import ReadSide
from projections.statistics import statistics
from projections.store import Store
from tests.builders import START
from tests.conftest import _pg_connect, postgres_env, sqlite_env
from tests.projections import reference_figures as reference
from tests.projections.history import MUNICIPALITIES, Story, grow

DAYS = {"sqlite": 70, "postgres": 60}


@dataclass
class Grown:
    store: str
    service: AllocationService
    clock: ManualClock
    read: ReadSide
    story: Story
    moments: list[datetime]


def _bridging(service: AllocationService, clock: ManualClock, story: Story,
              rng: random.Random) -> None:
    """Short-term stays bridging the wait (R2, R15) for some persons still waiting: some
    ended, some running, some recorded ahead of time."""
    today = local_date(clock.now())
    for m, case in rng.sample(story.cases, 40):
        if service.get_case(m, case).status.value not in ("waiting", "granted"):
            continue
        start = today - timedelta(days=rng.randint(-5, 120))
        end = rng.choice((None, start + timedelta(days=rng.randint(1, 60))))
        service.record_bridging_stay(m, case, facility_name="Korttid", unit="K1",
                                     from_on=start, to_on=end, recorded_by="Saksbehandler")


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def grown(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Grown]:
    schema = None
    with pytest.MonkeyPatch.context() as mp:
        if request.param == "sqlite":
            env = sqlite_env(Path(tmp_path_factory.mktemp("figures")) / "events.sqlite")
        else:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            with _pg_connect() as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            env = postgres_env(schema)
            mp.setenv("PGOPTIONS", "-c synchronous_commit=off")
        clock = ManualClock(START)
        service = AllocationService(env=env, clock=clock)
        read = ReadSide(service)
        rng = random.Random(16)
        moments: list[datetime] = []

        def between(day: int) -> None:
            read.catch_up(limit=rng.randint(0, 80), batch=rng.choice((1, 9, 40)))
            if day % 20 == 19:
                moments.append(clock.now())

        try:
            story = grow(service, clock, days=DAYS[request.param], seed=7, between=between)
            _bridging(service, clock, story, rng)
            read.catch_up(batch=13)
            yield Grown(request.param, service, clock, read, story, moments)
        finally:
            read.stop()
            service.close()
            if schema is not None:
                with _pg_connect() as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _todays(grown: Grown) -> list[date]:
    end = local_date(grown.clock.now())
    return [START.date() - timedelta(days=3), START.date() + timedelta(days=45),
            end - timedelta(days=40), end, end + timedelta(days=75)]


def _months(grown: Grown) -> tuple[date, date]:
    first = START.date().replace(day=1) - relativedelta(months=1)
    last = local_date(grown.clock.now()).replace(day=1) + relativedelta(months=2)
    return first, last


def _expected_monitor(store: Store, m: str, today: date, limit: int | None, offset: int
                      ) -> Any:
    """The reference monitor, its breaches newest first and paged, its other lists cut to
    their first ``limit`` rows (the counts stay the whole lists')."""
    whole = reference.deadline_monitor(store, m, today)
    newest = list(reversed(whole.breaches))
    page = newest[offset:] if limit is None else newest[offset:offset + limit]
    cut = slice(None) if limit is None else slice(0, limit)
    return dataclasses.replace(whole, breaches=page, total=len(newest), offset=offset,
                               limit=limit, overdue=whole.overdue[cut],
                               due_14=whole.due_14[cut], due_30=whole.due_30[cut],
                               grants_overdue=whole.grants_overdue[cut])


def assert_figures(store: Store, grown: Grown, todays: list[date]) -> None:
    first, last = _months(grown)
    years = range(first.year, last.year + 1)
    for m in MUNICIPALITIES:
        for today in todays:
            assert statistics(store, m, first, last, today) == \
                reference.statistics(store, m, first, last, today), (m, today)
            for year in years:
                assert activity_report(store, m, year, today) == \
                    reference.activity_report(store, m, year, today), (m, today, year)
            for limit, offset in ((None, 0), (None, 2), (5, 0), (7, 3), (100, 0), (3, 10_000)):
                assert deadline_monitor(store, m, today, limit, offset) == \
                    _expected_monitor(store, m, today, limit, offset), (m, today, limit)
        # on the day of a deadline, the day before and the day after, and 14 and 30 days
        # before it (the edges of the lists)
        running = reference.deadline_monitor(store, m, todays[-1] + timedelta(days=400))
        assert running.overdue, "every running deadline has passed by then"
        for row in running.overdue[:4]:
            for days in (-30, -14, -1, 0, 1):
                today = row.deadline + timedelta(days=days)
                assert deadline_monitor(store, m, today) == \
                    _expected_monitor(store, m, today, None, 0), (m, today)


def test_the_history_has_what_the_figures_count(grown: Grown):
    first, last = _months(grown)
    today = local_date(grown.clock.now())
    with grown.read.view.reading() as store:
        rows = [r for m in MUNICIPALITIES
                for r in statistics(store, m, first, last, today) if r.place_type == "all"]
        monitors = [deadline_monitor(store, m, today) for m in MUNICIPALITIES]
    for field in ("waiting_at_month_end", "new_decisions", "offers_made", "admissions",
                  "first_offers", "breaches", "purchases", "purchased_place_days",
                  "occupied_place_days", "available_place_days", "bridging_stay_days"):
        assert sum(getattr(r, field) for r in rows) > 0, field
    assert len({r.available_place_days for r in rows}) > 3  # places opened and closed
    with grown.read.view.reading() as store:  # R22: every kind of stay the codes count
        quarters = [q for m in MUNICIPALITIES
                    for q in activity_report(store, m, today.year, today)]
    counted = {code for q in quarters for code, days in q.service_days.items() if days}
    assert {"LT-SH-ORD-EGEN", "LT-HB-ORD-EGEN", "KT"} <= counted, counted
    assert any(code.endswith("-KJOP") for code in counted), counted
    assert sum(m.total for m in monitors) >= 3
    assert any(m.due_30 for m in monitors) and any(m.grants_overdue for m in monitors)
    assert any(b.choice == "wait" for m in monitors for b in m.breaches)
    assert any(not b.still_waiting for m in monitors for b in m.breaches)


def test_r13_r22_r18_live_figures_equal_the_documents_reference(grown: Grown):
    with grown.read.view.reading() as store:
        assert_figures(store, grown, _todays(grown))


def test_r13_r22_r18_figures_after_a_rebuild_equal_the_documents_reference(grown: Grown):
    assert grown.read.rebuild(batch=57) == grown.service.recorder.max_notification_id()
    with grown.read.view.reading() as store:
        assert_figures(store, grown, _todays(grown)[2:4])


def test_r13_r22_r18_figures_as_of_a_moment_equal_the_documents_then(grown: Grown):
    read = grown.read
    for moment in grown.moments[:3]:
        then = read.as_of(moment)
        with read.view.reading(as_of=moment) as store:
            today = local_date(moment)
            first, last = _months(grown)
            assert then.statistics("4601", first, last) == \
                reference.statistics(store, "4601", first, last, today)
            assert then.activity_report("4601", today.year) == \
                reference.activity_report(store, "4601", today.year, today)
            assert then.deadline_monitor("4601", limit=4, offset=1) == \
                _expected_monitor(store, "4601", today, 4, 1)
