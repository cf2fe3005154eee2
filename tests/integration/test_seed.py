"""The demo seed (application/seed.py) and the operator command line (application/cli.py).

The seed runs once per module on an in-memory SQLite store (a few seconds); the read side
then shows what a demo needs, the rules agree with every command it issued, a second run
writes nothing, and a run interrupted half-way and resumed writes exactly the same log.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.cli import main
from application.clock import ManualClock
from application.seed import HISTORY_DAYS, SeedSummary, plan_demo, run_steps, seed_demo
from application.service import AllocationService
from domain.case import Case
from domain.identity import IdentityNumber
from domain.place import Place
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, place, waiting_case
from tests.conftest import sqlite_env

M = MUNICIPALITY
UNTIL = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[AllocationService, SeedSummary, ReadSide]]:
    service = AllocationService(env=MEMORY, clock=ManualClock(UNTIL))
    summary = seed_demo(service, until=UNTIL)
    read = ReadSide(service)
    read.catch_up()
    try:
        yield service, summary, read
    finally:
        service.close()


def test_seed_builds_a_realistic_demo_municipality(seeded):
    service, summary, read = seeded
    assert not summary.already_seeded and summary.events_written > 2000
    assert summary.seconds < 30

    waiting = read.waiting_list(M)
    assert 24 <= len(waiting) <= 60  # a few dozen
    assert len(waiting) == summary.waiting_now
    by_case = {e.case_id: e for e in waiting}
    pairs = [e for e in waiting if e.spouse_case_id in by_case
             and by_case[e.spouse_case_id].spouse_case_id == e.case_id]
    assert pairs  # R10: a spouse pair waits together
    urgent = [e for e in waiting if e.urgent]
    assert urgent and [e.rank for e in urgent] == list(range(1, len(urgent) + 1))  # R15
    assert any(e.breached and e.breach_choice == "wait" for e in waiting)  # R18, R19
    assert any(e.decision_kind == "waiting_list" and e.interim_services for e in waiting)

    board = read.vacancy_board(M)
    vacant = {p.place_type for p in board.places if p.status == "vacant"}
    assert vacant >= {"ordinary", "screened", "reinforced"}
    offers = [o for o in board.provider_offers if o.status == "available"]
    assert len(offers) >= 2 and all(o.price_per_day > 0 for o in offers)

    places = [service.repository.get(pid) for pid in service.place_ids()]
    assert all(isinstance(p, Place) for p in places)
    assert {p.facility_kind.value for p in places} == {"nursing_home", "housing_24h"}
    assert {p.room_kind.value for p in places} == {"single", "double"}
    assert summary.facilities == 4 and summary.places == len(places)

    d = summary.decisions
    assert d["grant"] > 0 and d["waiting_list"] > 0 and d["rejection"] > 0
    assert summary.offers_declined > 0 and summary.purchases > 0 and summary.stays_ended > 0
    assert summary.breach_choices["purchase"] > 0 and summary.breach_choices["wait"] > 0

    complaints = read.complaints(M)
    assert len(complaints) == summary.complaints >= 3
    assert {"decided", "upheld"} <= {c["status"] for c in complaints}
    assert any(c["late"] for c in complaints)
    assert service.policy(M).current_version == summary.policy_versions == 3


def test_seed_history_spans_two_years_in_time_order(seeded):
    service, summary, _ = seeded
    notifications = service.recorder.select_notifications(start=1, limit=100_000)
    events = [service.mapper.to_domain_event(n) for n in notifications]
    times = [e.timestamp for e in events]
    assert times == sorted(times)  # the log is in business-time order
    assert times[-1] <= UNTIL
    assert times[0].date() >= (UNTIL - timedelta(days=HISTORY_DAYS + 1)).date()
    assert summary.start == (UNTIL - timedelta(days=HISTORY_DAYS)).date()
    cases = [e for e in events if isinstance(e, Case.ApplicationReceived)]
    assert len(cases) == summary.cases
    assert {IdentityNumber.parse(e.person.identity_number).kind for e in cases} == {
        "synthetic"}
    assert all(e.command_id for e in events if not isinstance(e, Case.DeadlineBreached)
               and type(e).__name__ != "Established")


def test_seed_issued_only_commands_the_rules_accept(seeded):
    """The plan's model agrees with the domain: at ``until`` no breach is left unrecorded,
    and the allocation unit's next run finds the vacancies the summary promises."""
    service, summary, read = seeded
    assert service.check_deadlines(M) == []
    vacant_beds = sum(p.free_beds for p in read.vacancy_board(M).places)
    assert vacant_beds >= sum(summary.vacant_now.values())


def test_seeding_twice_adds_no_events(seeded):
    service, _, _ = seeded
    clock = service.clock
    position = service.recorder.max_notification_id()
    again = seed_demo(service, until=UNTIL + timedelta(days=3))  # another day: same story
    assert again.already_seeded and again.events_written == 0
    assert service.recorder.max_notification_id() == position
    assert service.clock is clock  # the service's own clock is back


def test_seed_is_deterministic_and_resumes_after_an_interruption(seeded):
    service, summary, _ = seeded
    other = AllocationService(env=MEMORY, clock=ManualClock(UNTIL))
    try:
        steps, _ = plan_demo(other, until=UNTIL)
        assert len(steps) == summary.commands
        run_steps(other, steps[: len(steps) // 2])  # interrupted half-way
        resumed = seed_demo(other, until=UNTIL + timedelta(days=1))
        assert not resumed.already_seeded
        mine = service.recorder.select_notifications(start=1, limit=100_000)
        theirs = other.recorder.select_notifications(start=1, limit=100_000)
        assert [(n.originator_id, n.originator_version, n.topic, n.state) for n in mine] == [
            (n.originator_id, n.originator_version, n.topic, n.state) for n in theirs]
    finally:
        other.close()


# --- the operator command line -------------------------------------------------------------


@pytest.fixture
def small_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two persons on the list since 2020 (long past their deadlines) and one vacancy."""
    env = sqlite_env(tmp_path / "events.sqlite")
    svc = AllocationService(env=env, clock=ManualClock(datetime(2020, 1, 6, 9, tzinfo=UTC)))
    try:
        waiting_case(svc, name="Anna Berg")
        waiting_case(svc, name="Bjørn Dahl")
        place(svc, facility_id="fjellheim")
    finally:
        svc.close()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return tmp_path / "events.sqlite"


def test_cli_check_deadlines_rebuild_and_allocate(small_store, capsys):
    assert main(["check-deadlines", "--municipality", M]) == 0
    out = capsys.readouterr()
    assert "2 new deadline breaches in municipality 4601" in out.out
    assert "checking deadlines" in out.err  # progress on stderr
    assert main(["check-deadlines"]) == 0  # recorded once
    assert "0 new deadline breaches in all municipalities" in capsys.readouterr().out

    assert main(["rebuild-projections"]) == 0
    out = capsys.readouterr()
    assert "rebuilt the read models" in out.out and "rebuilding read models" in out.err

    # R16: the two on the list are not assessed: the run asks for a confirmation first
    assert main(["allocate", "--municipality", M, "--officer", "Hilde Strand"]) == 3
    assert "--confirm-unassessed" in capsys.readouterr().err
    assert main(["allocate", "--municipality", M, "--officer", "Hilde Strand",
                 "--confirm-unassessed"]) == 0
    out = capsys.readouterr().out
    assert "started by Hilde Strand" in out
    assert "2 waiting, 1 vacant places" in out and "proposed offers: 1" in out
    assert "fjellheim (ordinary, single room, own place)" in out
    assert not re.search(r"\d{11}", out)  # identity numbers never printed


def test_cli_refused_commands_exit_non_zero_with_a_message(small_store, capsys):
    assert main(["allocate", "--municipality", "12"]) == 2
    assert "error: municipality" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["allocate"])  # --municipality is required
    assert exit_.value.code == 2
    assert main(["seed-demo", "--until", "2026-03-02T12:00"]) == 2  # no time zone
    assert "time zone" in capsys.readouterr().err


def test_cli_seed_demo_passes_its_arguments_and_prints_the_summary(seeded, monkeypatch,
                                                                   capsys):
    """The command's plumbing; the seed itself is the module fixture's (seeding again with
    the CLI's arguments is the idempotent no-op that prints the same summary)."""
    service, summary, _ = seeded
    import application.cli as cli

    monkeypatch.setattr(cli, "_service", lambda: _Unclosed(service))
    assert main(["seed-demo", "--municipality", M, "--until", "2026-03-02T12:00+01:00"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith(f"municipality {M}: {summary.start} to 2026-03-02 "
                              "(already seeded)")
    assert f"waiting now: {summary.waiting_now} " in out.out
    assert f"seeding {M}: {summary.commands}/{summary.commands} (100 %)" in out.err


class _Unclosed:
    """The module's service, lent to the command line without letting it close it."""

    def __init__(self, service: AllocationService) -> None:
        self._service = service

    def __getattr__(self, name: str) -> object:
        return getattr(self._service, name)

    def close(self) -> None:
        pass


def test_cli_runs_as_a_module(small_store):
    result = subprocess.run(
        [sys.executable, "-m", "application.cli", "check-deadlines"], capture_output=True,
        text=True, env={**os.environ}, cwd=Path(__file__).parents[2], timeout=120,
        check=False)
    assert result.returncode == 0, result.stderr
    assert "new deadline breaches" in result.stdout
