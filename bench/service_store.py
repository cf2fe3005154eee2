"""The store and the server of the service benchmark (``bench/service.py``).

- **The store**: the projection benchmark's municipality the size of Oslo (``0301``; its
  generator in ``bench/projections.py``, as ``bench/management.py`` uses it), on a SQLite
  file (generated when missing, reused when present) or a PostgreSQL schema of the local
  server (generated when missing; a fresh one, dropped at the end, unless named and kept).
- **What the store holds** (:func:`facts_before`, :func:`facts_after`): its events, the day
  of its last event (the history's "today", from which the statistics' 24 months are
  counted), how far the read models lag behind the log before the server starts (the first
  start rebuilds them when they lag far behind), its own places, and the size of the
  newest access-log entry for a list view, as the store holds it (bytes of the stored
  event's state).
- **The server** (:class:`ServiceProcess`): ``python -m api --no-seed`` as a child process
  (``tests/faults/machinery.Server``) on the store's variables, with a data folder of its
  own (the local issuer's key, ``server.log``); :func:`rss_mb` its resident memory, the
  worker processes and the projector process included.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

from application.service import AllocationService
from domain.access import AccessLogEntry
from domain.base import local_date
from projections.read_side import ReadSide
from projections.store import OPEN
from tests.faults.machinery import Server

ROOT = Path(__file__).resolve().parents[1]
M = "0301"  # the projection benchmark's municipality (Oslo)
PG = {"host": "127.0.0.1", "port": "5432", "dbname": "test", "user": "postgres"}
PG_CONNINFO = " ".join(f"{k}={v}" for k, v in PG.items())
SEED = 7  # the generator's seed, as bench/management.py's


def _generator() -> Any:
    """bench/projections.py, loaded by path (as bench/management.py loads it)."""
    from bench.management import _generator as load

    return load()


def sqlite_env(path: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}


def postgres_env(schema: str) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": PG["host"],
            "POSTGRES_PORT": PG["port"], "POSTGRES_DBNAME": PG["dbname"],
            "POSTGRES_USER": PG["user"], "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema}


@dataclass
class Store:
    name: str  # "sqlite" or "postgres"
    env: dict[str, str]
    where: str  # the file or the schema
    generated_s: float | None = None  # seconds spent generating it (None: reused)


#: The generator's days for its events: 20,065 events fill 209 days (the places are
#: registered first), 479,248 events 5,399 days; about 88 events a day in between (it
#: varies with the weekday the history begins on: 60 days were too few for 477,000).
DAYS_AT, EVENTS_AT, EVENTS_A_DAY = 209, 20_065, 88.4
#: A generated history ends about this many days before today.
ENDS_DAYS_AGO = 120


def history_start(events: int, today: date) -> datetime:
    """When a history of ``events`` must begin to end about :data:`ENDS_DAYS_AGO` days
    before ``today``."""
    days = DAYS_AT * events / EVENTS_AT if events < EVENTS_AT else \
        DAYS_AT + (events - EVENTS_AT) / EVENTS_A_DAY
    first = today - timedelta(days=round(days) + ENDS_DAYS_AGO)
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


def generate(env: dict[str, str], events: int, waiting: int) -> tuple[int, int]:
    """The projection benchmark's history (``events``), then its waiting list topped up to
    ``waiting`` persons (:func:`top_up`). Returns (events generated, persons added).

    The service runs on the real clock, so the history is made to end about four months
    before today (the generator's own history begins in 1996: the service would see
    everyone on the list waiting for decades, every deadline long past); it stops short
    of its events rather than run within ten days of today."""
    gen = _generator()
    today = datetime.now(UTC).date()
    gen.START = history_start(events, today)
    last_chunk = today - timedelta(days=10 + 30)  # it simulates 30 days at a time
    app = AllocationService(env=env)
    try:
        history = gen.History(app, events, SEED)
        history.open_facilities()  # History.run(), stopping in time
        while history.written < history.target and history.day <= last_chunk:
            for _ in range(30):
                history.one_day()
                history.day += timedelta(days=1)
                history.minute = 0
            history.flush()
        have = sum(1 for pool in history.waiting.values() for case in pool.values()
                   if case.on_waiting_list)
    finally:
        app.close()
    return history.written, top_up(env, have, waiting)


def top_up(env: dict[str, str], have: int, waiting: int, seed: int = 16) -> int:
    """Bring the waiting list from ``have`` up to ``waiting`` persons through the
    application's commands (real events, every rule checked), a few minutes after the
    history's last event: documented, decided, their priority assessed, most with ranked
    wishes, some couples, some with dementia (as ``bench/allocation_run.py`` does). The
    generator's history keeps few on the list at its end (its vacancies are filled daily);
    Oslo's list is 1,744 persons long (issue 16). Returns the persons added."""
    if have >= waiting:
        return 0
    from application.clock import ManualClock
    from bench.allocation_run import add_waiting_person
    from domain.identity import synthetic_identity_number

    probe = AllocationService(env=env)
    end = probe.recorder.max_notification_id() or 0
    [last] = probe.recorder.select_notifications(start=end, limit=1)
    clock = ManualClock(probe.mapper.to_domain_event(last).timestamp)
    probe.close()
    app = AllocationService(env=env, clock=clock)
    rng = random.Random(seed)
    facilities = [f"f{f:02d}" for f in range(60)]
    added, couple = 0, None
    try:
        while have + added < waiting:
            clock.set(clock.now() + timedelta(minutes=2))
            # born on days and with serials the generator never uses (its serials are 0-2)
            number = synthetic_identity_number(date(1938, 1, 1) + timedelta(days=added // 90),
                                               10 + added % 90)
            couple = add_waiting_person(app, rng, facilities, f"Venter {have + added}", number,
                                        couple)
            added += 1
    finally:
        app.close()
    return added


@contextmanager
def prepared(name: str, *, events: int, waiting: int, db: Path | None, schema: str | None,
             keep: bool, tmp: Path, say: Any = print) -> Iterator[Store]:
    """The store, generated when missing (``events``, then the waiting list topped up to
    ``waiting``); a PostgreSQL schema is dropped afterwards unless ``keep``."""
    drop: str | None = None
    if name == "sqlite":
        path = db or tmp / "events.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        store = Store(name, sqlite_env(path), str(path))
        fresh = not path.exists()
    else:
        schema = schema or f"bench_sv_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            fresh = conn.execute("SELECT 1 FROM information_schema.schemata "
                                 "WHERE schema_name = %s", (schema,)).fetchone() is None
            if fresh:
                conn.execute(f'CREATE SCHEMA "{schema}"')
        store = Store(name, postgres_env(schema), schema)
        drop = None if keep else schema
    try:
        if fresh:
            say(f"{name}: generating {events:,} events into {store.where}, then the waiting "
                f"list up to {waiting:,} …")
            t0 = time.perf_counter()
            n, added = generate(store.env, events, waiting)
            store.generated_s = round(time.perf_counter() - t0, 1)
            say(f"{name}: generated {n:,} events and {added:,} persons on the list in "
                f"{store.generated_s} s")
        else:
            say(f"{name}: reusing {store.where}")
        yield store
    finally:
        if drop is not None:
            with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{drop}" CASCADE')


# --- what the store holds -----------------------------------------------------------------


ACCESS_TOPIC = f"{AccessLogEntry.Recorded.__module__}:{AccessLogEntry.Recorded.__qualname__}"


def facts_before(env: dict[str, str]) -> dict[str, Any]:
    """Before the server starts: the events, the history's last day, the read models' lag.

    The history's last day is that of the last event before the first access-log entry:
    the generated history and its top-up are written by the application, stamped with
    their simulated time and without entries; what the service wrote since (an earlier
    run's load, stamped with the real clock) comes with its entries, and is not history
    to size the statistics' months by."""
    app = AllocationService(env=env)
    try:
        end = app.recorder.max_notification_id() or 0
        served = app.recorder.select_notifications(start=1, limit=1, topics=[ACCESS_TOPIC])
        boundary = served[0].id - 1 if served else end
        [last] = app.recorder.select_notifications(start=boundary, limit=1)
        today = local_date(app.mapper.to_domain_event(last).timestamp)
        behind = end - ReadSide(app).position()
        return {"events": end, "history_today": today, "read_models_behind": behind}
    finally:
        app.close()


def facts_after(env: dict[str, str]) -> dict[str, Any]:
    """After the server stopped: the municipality's places and the newest list view's
    access-log entry (``list_view_entry_bytes``: its stored state, as the store holds it)."""
    app = AllocationService(env=env)
    try:
        out: dict[str, Any] = {"events_after": app.recorder.max_notification_id() or 0}
        read = ReadSide(app)
        with read.view.reading() as store:
            store.execute(f"SELECT COUNT(*) AS n FROM {store.name('lto_rm_place')} "
                          "WHERE valid_to = %s AND municipality = %s", (OPEN, M))
            out["places"] = store.cursor.fetchone()["n"]
        out.update(newest_list_view_entry(app))
        return out
    finally:
        app.close()


def newest_list_view_entry(app: AllocationService, window: int = 5000) -> dict[str, Any]:
    """The newest access-log entry that records a list view, read back from the log."""
    stop = app.recorder.max_notification_id() or 0
    while stop > 0:
        start = max(1, stop - window + 1)
        found = app.recorder.select_notifications(start=start, stop=stop, limit=window,
                                                  topics=[ACCESS_TOPIC])
        for n in reversed(found):
            entry = app.mapper.to_domain_event(n)
            if entry.views:
                return {"list_view_entry_bytes": len(n.state),
                        "list_view_entry_action": entry.action,
                        "list_view_entry_views": len(entry.views),
                        "list_view_entry_case_ids": len(entry.case_ids)}
        stop = start - 1
    return {"list_view_entry_bytes": None}


# --- the server ---------------------------------------------------------------------------


class ServiceProcess(Server):
    """The real service as a child process (``python -m api --no-seed`` with ``args``)."""

    def start_timed(self, token_for: Any, timeout: float = 900.0) -> float:
        """Start the server; seconds from the process's start to its first data answer
        (a 200 from ``GET /waiting-list``; 503 ``read_side_starting`` until the read
        models are up)."""
        t0 = time.perf_counter()
        self.start(timeout=timeout)
        token = token_for(self)
        deadline = time.monotonic() + timeout
        while True:
            try:
                r = httpx.get(f"{self.base}/waiting-list", params={"limit": 1},
                              headers={"Authorization": f"Bearer {token}"}, timeout=60)
                if r.status_code == 200:
                    return time.perf_counter() - t0
                if r.status_code != 503:
                    raise RuntimeError(f"the first waiting list answered {r.status_code}: "
                                       f"{r.text[:500]}\n{self.log_tail()}")
            except httpx.TransportError:
                pass
            if not self.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"no data answer within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def _tree(pid: int) -> list[int]:
    children, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pid: int) -> float:
    """Resident memory of the server and every process under it (uvicorn's workers, the
    projector, a rebuild's workers), in MB (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        return sum(_status_kb(p, "VmRSS") for p in _tree(pid)) / 1024
    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20


def cpu_s(pid: int) -> float:
    """CPU seconds (user and system) the server and the processes under it have used."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (every process: not idle, not waiting
    for I/O), from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of resident memory of each process now under the server,
    summed (VmHWM: a child that has exited is not counted)."""
    return sum(_status_kb(p, "VmHWM") for p in _tree(pid)) / 1024


#: The earliest month the statistics route takes.
EARLIEST_MONTH = date(2000, 1, 1)


def months_back(today: date, months: int) -> tuple[str, str]:
    """The ``months`` months up to ``today``'s: (first, last) as YYYY-MM; for a history
    that ends before the route's earliest month (a small store begins in 1996), the first
    ``months`` months it takes."""
    last = today.replace(day=1)
    index = EARLIEST_MONTH.year * 12 + months - 1
    last = max(last, date(index // 12, index % 12 + 1, 1))
    index = last.year * 12 + last.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}", f"{last:%Y-%m}"
