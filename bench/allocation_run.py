"""Allocation-run benchmark: one run on a large municipality's store, end to end through the
application (the read side brought up to date first), and what it leaves in the store.

    .venv/bin/python bench/allocation_run.py --db PATH [--runs N] [--keep]

``PATH`` is a SQLite store with read models (``bench/projections.py --events 477000 --db
PATH`` generates one, ``python -m projections rebuild`` builds its read models). The store
is copied first (a run writes events) unless ``--keep``. Measured, in one process:

- **run**: ``run_allocation`` (the best and the median of three runs), and its parts:
  finding the candidates, building the problem, solving, recording;
- **stored**: the bytes the run's events take in the store;
- **read**: loading the run (``get_allocation_run``) and its first page of items;
- **runs list**: the list of runs with ``--runs`` runs recorded (250 by default; the
  extra runs are recorded by the application as any run is).

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import optimizer as opt
from application.clock import ManualClock
from application.service import AllocationService
from projections.read_side import ReadSide

M = "0301"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _last_moment(app: AllocationService) -> Any:
    last = app.recorder.max_notification_id() or 0
    n = app.recorder.select_notifications(start=last, limit=1)[0]
    return app.mapper.to_domain_event(n).timestamp


def _stored_bytes(app: AllocationService, run_id: Any) -> int:
    return sum(len(n.state) for n in app.recorder.select_events(run_id))



def add_waiting_person(app: AllocationService, rng: random.Random, facilities: list[str],
                       name: str, identity_number: str, couple: Any) -> Any:
    """One person onto the waiting list through the application's commands: documented,
    decided, priority assessed, most with ranked wishes, some with dementia; every few a
    couple with the person before (``couple``: the case waiting for a spouse, returned
    for the next call)."""
    from domain.values import PlaceType
    from tests.builders import INTERIM, document

    place_type = rng.choice([PlaceType.ORDINARY] * 6 + [PlaceType.SCREENED] * 3
                            + [PlaceType.REINFORCED])
    c = app.receive_application(M, identity_number=identity_number, name=name)
    document(app, c, municipality=M, dementia=place_type is PlaceType.SCREENED,
             reinforced=place_type is PlaceType.REINFORCED)
    app.decide(M, c, kind="waiting_list", grounds="Varig behov",
               decided_by="Tildelingsenheten", place_type=place_type,
               can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
               alternatives_at_home="Utvidet hjemmetjeneste prøvd")
    app.assess_priority(M, c, factors={"function": rng.randint(0, 4),
                                       "cognitive_failure": rng.randint(0, 4)},
                        need_score=rng.randint(10, 95), assessor="Sykepleier",
                        departure_reason="faglig skjønn")
    if rng.random() < 0.7:
        app.record_wishes(M, c, facility_ids=rng.sample(facilities, rng.randint(1, 3)))
    if rng.random() < 0.06:
        if couple is None:
            return c
        app.link_spouses(M, couple, c)
        if rng.random() < 0.3:
            for one in (couple, c):
                app.consent_to_living_apart(M, one, statement="Hver for seg",
                                            recorded_by="Saksbehandler")
        return None
    return couple

def top_up(path: Path, waiting: int, seed: int = 16) -> int:
    """Bring the waiting list of the municipality up to ``waiting`` persons through the
    application's commands (real events, every rule checked): documented, decided, their
    priority assessed, most with ranked wishes, some couples (living together or apart by
    consent), some with dementia. Returns the persons added."""
    from tests.builders import person_number

    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    probe = AllocationService(env=env)
    moment = _last_moment(probe)
    probe.close()
    clock = ManualClock(moment)
    app = AllocationService(env=env, clock=clock)
    rng = random.Random(seed)
    facilities = [f"f{f:02d}" for f in range(60)]
    try:
        have = sum(1 for _ in app.waiting_case_ids(M)
                   if app.get_case(M, _).on_waiting_list)
        added, couple = 0, None
        while have + added < waiting:
            clock.advance(minutes=2)
            couple = add_waiting_person(app, rng, facilities, f"Venter {have + added}",
                                        person_number(), couple)
            added += 1
    finally:
        app.close()
    return added


def measure(path: Path, runs: int) -> dict[str, Any]:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    probe = AllocationService(env=env)
    moment = _last_moment(probe) + timedelta(hours=1)
    probe.close()
    clock = ManualClock(moment)
    app = AllocationService(env=env, clock=clock)
    read = ReadSide(app)
    read.catch_up()
    app.use_waiting_cases(read)
    out: dict[str, Any] = {"events": app.recorder.max_notification_id()}
    try:
        # the parts, once (as run_allocation does them)
        t_cand, candidates = _timed(lambda: app.candidates(M))
        t_build, problem = _timed(lambda: app.build_problem(
            M, clock.now().date(), candidates))
        t_solve, plan = _timed(lambda: opt.solve(problem))
        out.update(candidates_s=round(t_cand, 3), build_s=round(t_build, 3),
                   solve_s=round(t_solve, 3), waiting=len(problem.persons),
                   vacancies=len(problem.vacancies), purchasable=len(problem.purchasable),
                   proposed=len(plan.assignments))
        totals = []
        run_id = None
        for i in range(3):
            clock.advance(minutes=1)
            took, run_id = _timed(lambda i=i: app.run_allocation(
                M, started_by="Benk", confirm_unassessed=True, command_id=f"bench-{i}"))
            totals.append(took)
        out["run_s"] = round(min(totals), 3)
        out["run_s_median"] = round(statistics.median(totals), 3)
        out["run_stored_bytes"] = _stored_bytes(app, run_id)
        t_load, run = _timed(lambda: app.get_allocation_run(M, run_id))
        out["load_run_s"] = round(t_load, 3)
        out["problem_json_bytes"] = len(json.dumps(run.problem))
        out["plan_json_bytes"] = len(json.dumps(run.plan))
        for i in range(3, runs):
            clock.advance(minutes=1)
            app.run_allocation(M, started_by="Benk", confirm_unassessed=True,
                               command_id=f"bench-{i}")
        read.catch_up()
        times = [_timed(lambda: read.allocation_runs(M))[0] for _ in range(5)]
        out["runs_listed"] = len(read.allocation_runs(M))
        out["runs_list_s"] = round(statistics.median(times), 4)
    finally:
        read.stop()
        app.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=250)
    parser.add_argument("--keep", action="store_true", help="run on the store itself")
    parser.add_argument("--waiting", type=int, help="first bring the waiting list up to "
                        "this many persons (through the application)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db
        if not args.keep:
            path = Path(tmp) / "events.sqlite"
            shutil.copyfile(args.db, path)
        if args.waiting:
            t0 = time.perf_counter()
            added = top_up(path, args.waiting)
            print(f"added {added} waiting persons in {time.perf_counter() - t0:.0f} s")
        result = measure(path, args.runs)
    for key, value in result.items():
        print(f"  {key}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
