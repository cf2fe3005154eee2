"""Management figures at scale: the statistics (R13, 24 months), the activity report (R22)
and the deadline monitor (R18, R19) read alone from a large municipality's store, as the
routes read them (the read side's answer, then made plain JSON), on SQLite or PostgreSQL.

The store is the projection benchmark's (``bench/projections.py``: a municipality the size
of Oslo from ``--events 477000``); "today" is the day of its last event, and the statistics
cover the 24 months up to it.

    .venv/bin/python bench/management.py --db PATH          # a store bench/projections.py made
    .venv/bin/python bench/management.py --postgres [--events N] [--schema NAME] [--keep]

``--db`` uses (and, when missing, generates) a SQLite file; ``--postgres`` generates into a
fresh schema of the local server (or ``--schema``, generated when missing), dropped at the
end unless ``--keep``. The read models are rebuilt first when they are behind the log (or of an
earlier layout). Each figure is timed cold (the first call) and as the median of five.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402

from api.routes.common import anonymize, plain  # noqa: E402
from application.service import AllocationService  # noqa: E402
from domain.base import local_date  # noqa: E402
from projections.read_side import ReadSide  # noqa: E402

M = "0301"  # the projection benchmark's municipality (Oslo)
PG_CONNINFO = "host=127.0.0.1 port=5432 dbname=test user=postgres"


def _generator() -> Any:
    """bench/projections.py (its name is the package's: loaded by path)."""
    spec = importlib.util.spec_from_file_location("bench_projections",
                                                  ROOT / "bench" / "projections.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float, Any]:
    """(first, median of ``repeat``, result) in milliseconds."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times[0], statistics.median(times), result


def measure(env: dict[str, str]) -> dict[str, Any]:
    app = AllocationService(env=env)
    try:
        end = app.recorder.max_notification_id() or 0
        read = ReadSide(app)
        out: dict[str, Any] = {"events": end}
        if read.position() < end:
            t0 = time.perf_counter()
            read.rebuild()
            out["rebuild_s"] = round(time.perf_counter() - t0, 1)
        [last] = app.recorder.select_notifications(start=end, limit=1)
        today = local_date(app.mapper.to_domain_event(last).timestamp)
        last_month = today.replace(day=1)
        first_month = last_month - relativedelta(months=23)
        out["today"] = today.isoformat()

        def stats() -> Any:
            return json.dumps(anonymize(plain(read.statistics(M, first_month, last_month,
                                                              today))))

        def activity() -> Any:
            return json.dumps(anonymize(plain(read.activity_report(M, today.year, today))))

        paged = "limit" in inspect.signature(read.deadline_monitor).parameters

        def monitor(officer: bool = True) -> Any:
            kwargs: dict[str, Any] = {"limit": 100} if paged else {}
            data = plain(read.deadline_monitor(M, today, **kwargs))
            return json.dumps(data if officer else anonymize(data))

        for name, fn in (("statistics_24_months", stats), ("activity_report", activity),
                         ("deadline_monitor", monitor),
                         ("deadline_monitor_manager", lambda: monitor(officer=False))):
            first, median, text = timed(fn)
            out[f"{name}_first_ms"] = round(first, 1)
            out[f"{name}_ms"] = round(median, 1)
            out[f"{name}_bytes"] = len(text)
        data = json.loads(monitor())
        out["breaches_total"] = data["counts"]["breaches"]
        out["breaches_shown"] = len(data["breaches"])
        out["due_30"] = data["counts"]["due_30"]
        out["waiting_at_last_month_end"] = json.loads(stats())[-1]["waiting_at_month_end"]
        return out
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="the SQLite store (generated when missing)")
    parser.add_argument("--postgres", action="store_true", help="a PostgreSQL schema")
    parser.add_argument("--schema", help="this PostgreSQL schema (generated when missing)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--events", type=int, default=477_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    schema = None
    if args.postgres:
        schema = args.schema or f"bench_mg_{uuid.uuid4().hex[:8]}"
        env = {"PERSISTENCE_MODULE": "eventsourcing.postgres",
               "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
               "POSTGRES_DBNAME": "test", "POSTGRES_USER": "postgres",
               "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema}
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            fresh = conn.execute("SELECT 1 FROM information_schema.schemata "
                                 "WHERE schema_name = %s", (schema,)).fetchone() is None
            if fresh:
                conn.execute(f'CREATE SCHEMA "{schema}"')
    else:
        if args.db is None:
            parser.error("--db or --postgres")
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(args.db)}
        fresh = not args.db.exists()
    try:
        if fresh:
            t0 = time.perf_counter()
            n = _generator().generate(env, args.events, args.seed)
            print(f"generated {n} events in {time.perf_counter() - t0:.0f} s", flush=True)
        result = measure(env)
    finally:
        if schema is not None and not args.keep:
            with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    result["store"] = "postgres" if args.postgres else "sqlite"
    result["schema"] = schema
    r = result
    print(f"{r['store']}: {r['events']} events, today {r['today']}")
    for name in ("statistics_24_months", "activity_report", "deadline_monitor",
                 "deadline_monitor_manager"):
        print(f"  {name:<26} {r[f'{name}_ms']:>9.1f} ms (first {r[f'{name}_first_ms']} ms), "
              f"{r[f'{name}_bytes']:,} bytes of JSON")
    print(f"  {r['breaches_total']} breaches recorded, {r['breaches_shown']} shown; "
          f"{r['due_30']} deadlines within 30 days")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
