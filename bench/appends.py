"""Write-side benchmark: the application layer against a bare eventsourcing Application.

Runs a realistic mix of commands (application, § 2-2 documentation, decision, priority,
place registration, offer, acceptance, admission, a deadline breach now and then) through
``AllocationService`` on SQLite and on PostgreSQL, and in the same run a bare Application
that loads one aggregate per command and saves the same number of events per save to the
same kind of store. Prints both rates and their ratio (target: at least 0.7).

    .venv/bin/python bench/appends.py [--cases N] [--skip-postgres]

The last line is one JSON object with ``sqlite_ratio`` and ``postgres_ratio``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import PlaceType, PriorityFactor
from tests.builders import INTERIM, document, person_number, place

M = "4601"


class Counter(Aggregate):
    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name
        self.n = 0

    @event("Bumped")
    def bump(self, note: str) -> None:
        self.n += 1


class Bare(Application[uuid.UUID]):
    name = "Bare"


def run_service(env: dict[str, str], cases: int) -> tuple[int, int, float]:
    """Returns (events, saves, seconds)."""
    clock = ManualClock(datetime(2025, 1, 6, 8, tzinfo=UTC))
    svc = AllocationService(env=env, clock=clock)
    saves = 0
    real_save = svc.save

    def counting_save(*a: Any, **k: Any) -> Any:
        nonlocal saves
        saves += 1
        return real_save(*a, **k)

    svc.save = counting_save  # type: ignore[method-assign]
    start_id = svc.recorder.max_notification_id() or 0
    t0 = time.perf_counter()
    for i in range(cases):
        clock.advance(hours=1)
        case_id = svc.receive_application(M, identity_number=person_number(), name=f"P{i}")
        document(svc, case_id)
        svc.decide(M, case_id, kind="waiting_list", grounds="Varig behov", decided_by="TE",
                   place_type=PlaceType.ORDINARY,
                   can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
                   alternatives_at_home="prøvd")
        svc.assess_priority(M, case_id, factors={PriorityFactor.FUNCTION.value: 3},
                            need_score=10, assessor="sykepleier")
        if i % 4 == 3:
            clock.advance(days=100)
            svc.check_deadlines(case_ids=[case_id])
            clock.set(clock.now() - timedelta(days=100))
            continue
        p = place(svc)
        offer = svc.make_offer(M, case_id, made_by="TE", place_id=p)
        svc.accept_offer(M, case_id, offer)
        svc.admit(M, case_id, offer)
    elapsed = time.perf_counter() - t0
    events = (svc.recorder.max_notification_id() or 0) - start_id
    svc.close()
    return events, saves, elapsed


def run_bare(env: dict[str, str], events: int, saves: int) -> float:
    """The same number of events in the same number of saves, one load per save."""
    app = Bare(env=env)
    per_save = events / saves
    counters: list[uuid.UUID] = []
    written = 0
    t0 = time.perf_counter()
    for s in range(saves):
        target = int(per_save * (s + 1)) - written
        if s % 12 == 0 or not counters:
            c = Counter(name=f"c{s}")
            target -= 1
        else:
            c = app.repository.get(counters[-1])
        for _ in range(max(target, 0)):
            c.bump(note="x" * 120)
        app.save(c)
        if not counters or counters[-1] != c.id:
            counters.append(c.id)
        written += max(target, 0) + (1 if s % 12 == 0 else 0)
    elapsed = time.perf_counter() - t0
    app.close()
    return elapsed


def measure(name: str, make_env: Any, cases: int) -> dict[str, float]:
    env = make_env("svc")
    events, saves, t_svc = run_service(env, cases)
    t_bare = run_bare(make_env("bare"), events, saves)
    svc_rate, bare_rate = events / t_svc, events / t_bare
    ratio = svc_rate / bare_rate
    print(f"{name:10s} events={events} saves={saves}  service {svc_rate:8.0f} ev/s  "
          f"bare {bare_rate:8.0f} ev/s  ratio {ratio:.2f}")
    return {"events": events, "service_events_per_s": round(svc_rate, 1),
            "bare_events_per_s": round(bare_rate, 1), "ratio": round(ratio, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        def sqlite_env(tag: str) -> dict[str, str]:
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "SQLITE_DBNAME": str(Path(tmp) / f"{tag}.sqlite")}

        sqlite = measure("sqlite", sqlite_env, args.cases)
    result["sqlite"] = sqlite
    result["sqlite_ratio"] = sqlite["ratio"]
    if not args.skip_postgres:
        schemas: list[str] = []
        conninfo = "host=127.0.0.1 port=5432 dbname=test user=postgres"

        def pg_env(tag: str) -> dict[str, str]:
            schema = f"bench_{tag}_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            schemas.append(schema)
            return {"PERSISTENCE_MODULE": "eventsourcing.postgres",
                    "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
                    "POSTGRES_DBNAME": "test", "POSTGRES_USER": "postgres",
                    "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema}

        try:
            pg = measure("postgres", pg_env, args.cases)
        finally:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        result["postgres"] = pg
        result["postgres_ratio"] = pg["ratio"]
    else:
        result["postgres_ratio"] = None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
