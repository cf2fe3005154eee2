"""Load benchmark of the real HTTP service at Oslo size (issue 16, "Targets").

For each store (SQLite, PostgreSQL) it builds or reuses the projection benchmark's
municipality the size of Oslo (``0301``, 477,000 events by default, its waiting list
topped up to Oslo's 1,744 persons; ``bench/service_store.py``), starts the real service on
it (``python -m api --no-seed`` as a child process, ``--server-workers N`` passed on as
``--workers N``) and measures over HTTP:

- **first start**: from the process's start to its first data answer (a 200 from the
  waiting list; a store whose read models lag far behind is rebuilt first:
  ``read_models_behind`` says how far they were);
- **alone** (nothing else running): statistics for 24 months and the deadline monitor
  (median of five), one allocation run end to end (``POST /allocation-runs``), the runs
  list (``GET /allocation-runs``; ``runs_recorded`` runs);
- **under load** (``bench/service_load.py``): ``--users`` users (one in ten a manager) in a
  closed loop for ``--seconds``: case work (case pages, waiting-list pages, the vacancy
  board, case history, access log, runs list, and about 10 % writes: documentation,
  interim services, priority, wishes, offers) and management (statistics, deadline
  monitor, activity report); ``GET /health`` beside them as the floor; one allocation run
  a third of the way in. Any answer that is not 2xx is an error;
- **memory**: the server's resident memory (its worker and projector processes included)
  after the load, and the most sampled during the run;
- **the access log**: the size of the newest list view's entry, as the store holds it.

Each figure is printed with its target, met or not met (never asserted); the last line is
one JSON object, ``{"sqlite": {...}, "postgres": {...}}``.

    .venv/bin/python bench/service.py [--store sqlite|postgres|both] [--events N]
        [--waiting N] [--db PATH] [--schema NAME] [--keep] [--users 20] [--seconds 60]
        [--server-workers N] [--quick]

``--db`` keeps the SQLite store there (reused when present); ``--schema`` names the
PostgreSQL schema (reused when present), dropped at the end unless ``--keep``. ``--quick``:
20,000 events (200 waiting), 5 users, 10 s (for the test). The runs write to the store (the
load's writes, two allocation runs, the access log): a reused store grows a little each
time, and its read models are current, so its first start is not the cold one.

The machine is shared: the CPU cores other programs kept busy during the load
(``others_cpu_cores``) and the load average at the start are reported beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))  # before bench/, whose projections.py is not the package

import httpx  # noqa: E402

from api.auth import LocalIssuer, Role  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from bench import service_load as load  # noqa: E402
from bench import service_store as st  # noqa: E402

OFFICER = "saksbehandler-oslo"  # the demo user of 0301's allocation unit

#: name -> (target as text, whether a value meets it)
TARGETS: dict[str, tuple[str, Any]] = {
    "casework_p95_ms": ("< 250 ms", lambda v: v < 250),
    "casework_rps": (">= 100 req/s", lambda v: v >= 100),
    "fullmix_p95_ms": ("< 500 ms", lambda v: v < 500),
    "errors": ("0", lambda v: v == 0),
    "statistics_ms": ("< 100 ms alone", lambda v: v < 100),
    "deadline_monitor_ms": ("< 100 ms alone", lambda v: v < 100),
    "allocation_run_s": ("< 1 s alone", lambda v: v < 1),
    "allocation_run_under_load_s": ("< 3 s under load", lambda v: v < 3),
    "runs_list_ms": ("< 50 ms", lambda v: v < 50),
    "list_view_entry_bytes": ("< 1 KB", lambda v: v < 1024),
    "first_start_s": ("< 15 s", lambda v: v < 15),
    "memory_mb": ("< 600 MB after the run", lambda v: v < 600),
}


def say(text: str) -> None:
    print(text, flush=True)


def demo_token(server: st.ServiceProcess) -> str:
    r = httpx.post(f"{server.base}/auth/demo-token", json={"username": OFFICER}, timeout=60)
    r.raise_for_status()
    return str(r.json()["access_token"])


def manager_token(data_dir: Path, n: int) -> str:
    """A manager of 0301 (no demo user is one): signed with the server's own local issuer
    key, with the claims its demo tokens carry."""
    fields = ApiSettings.model_fields
    settings = ApiSettings(data_dir=data_dir, auth_issuer=fields["auth_issuer"].default,
                           auth_audience=fields["auth_audience"].default, token_minutes=240)
    return LocalIssuer(settings).issue(subject=f"bench:leder-oslo-{n}", name=f"Leder {n}",
                                       role=Role.MANAGER, municipality=st.M)


async def timed_reads(c: httpx.AsyncClient, rec: load.Recorder, name: str, url: str,
                      params: dict[str, Any], repeat: int) -> dict[str, Any]:
    """One read ``repeat`` times in a row: the median and the first (ms), the answer's
    bytes."""
    times: list[float] = []
    size = 0
    for _ in range(repeat):
        r = await load.call(c, rec, load.ALONE, name, "GET", url, params=params)
        if r is not None and r.status_code == 200:
            times.append(rec.samples[-1].ms)
            size = len(r.content)
    if not times:
        return {"ms": None, "first_ms": None, "bytes": None}
    return {"ms": round(statistics.median(times), 1), "first_ms": round(times[0], 1),
            "bytes": size}


async def alone(base: str, officer: str, manager: str, world: load.World, rec: load.Recorder,
                repeat: int = 5) -> dict[str, Any]:
    """The figures measured with nothing else running: statistics for 24 months (as a
    manager), the deadline monitor's first page (as an officer, with names, and as a
    manager), one allocation run end to end (as an officer) and then the runs list."""
    out: dict[str, Any] = {}
    async with load.client(base, officer) as o, load.client(base, manager) as m:
        stats = await timed_reads(m, rec, "statistics_24_months", "/statistics",
                                  {"first_month": world.first_month,
                                   "last_month": world.last_month}, repeat)
        monitor = await timed_reads(o, rec, "deadline_monitor", "/deadline-monitor",
                                    {"limit": 100}, repeat)
        monitor_m = await timed_reads(m, rec, "deadline_monitor_manager", "/deadline-monitor",
                                      {"limit": 100}, repeat)
        run_s = await load.allocation_run(o, rec, load.ALONE)
        runs = await timed_reads(o, rec, "runs_list", "/allocation-runs", {}, repeat)
        r = await o.get("/allocation-runs")
        out["runs_recorded"] = len(r.json()) if r.status_code == 200 else None
    out.update({
        "statistics_ms": stats["ms"], "statistics_first_ms": stats["first_ms"],
        "statistics_bytes": stats["bytes"],
        "deadline_monitor_ms": monitor["ms"], "deadline_monitor_first_ms": monitor["first_ms"],
        "deadline_monitor_bytes": monitor["bytes"],
        "deadline_monitor_manager_ms": monitor_m["ms"],
        "allocation_run_s": None if run_s is None else round(run_s, 3),
        "runs_list_ms": runs["ms"], "runs_list_first_ms": runs["first_ms"],
        "runs_list_bytes": runs["bytes"],
    })
    return out


def run_store(store: st.Store, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    load_average = round(os.getloadavg()[0], 2)  # a shared machine: was it busy already?
    before = st.facts_before(store.env)
    today = before["history_today"]
    first_month, last_month = st.months_back(today, 24)
    say(f"{store.name}: {before['events']:,} events, the history's last day {today}; read "
        f"models {before['read_models_behind']:,} events behind")
    data_dir = tmp / f"data-{store.name}"
    args_api = ["--workers", str(args.server_workers)] if args.server_workers > 1 else []
    server = st.ServiceProcess(store.env, data_dir, args=args_api)
    out: dict[str, Any] = {"store": store.name, "where": store.where,
                           "generated_s": store.generated_s, "events": before["events"],
                           "read_models_behind": before["read_models_behind"],
                           "history_today": today.isoformat(),
                           "statistics_months": f"{first_month}..{last_month}",
                           "users": args.users,
                           "server_workers": args.server_workers,
                           "load_average_at_start": load_average}
    rec = load.Recorder()
    try:
        say(f"{store.name}: starting the server …")
        out["first_start_s"] = round(server.start_timed(demo_token), 2)
        say(f"{store.name}: first data answer after {out['first_start_s']} s")
        managers = max(1, args.users // 10)
        officers = [demo_token(server) for _ in range(args.users - managers)]
        bosses = [manager_token(data_dir, n) for n in range(managers)]

        async def measure() -> None:
            async with load.client(server.base, officers[0]) as c:
                world = await load.fetch_world(c, first_month, last_month,
                                              max(today.year, 2000))
            out["waiting"] = world.waiting
            out["vacant_places"] = sum(p["status"] == "vacant" for p in world.places)
            say(f"{store.name}: {world.waiting:,} waiting; measuring alone …")
            out.update(await alone(server.base, officers[0], bosses[0], world, rec))
            say(f"{store.name}: {args.users} users for {args.seconds} s …")
            out.update(await load.load(server.base, officers, bosses, world, rec,
                                       args.seconds, args.seed,
                                       lambda: st.rss_mb(server.pid),
                                       lambda: st.cpu_s(server.pid), st.machine_busy_s))

        asyncio.run(measure())
        out["memory_mb"] = round(st.rss_mb(server.pid), 1)
        out["memory_peak_mb"] = round(max(out.get("memory_peak_sampled_mb", 0),
                                          st.peak_rss_mb(server.pid)), 1)
    except BaseException:
        say(f"{store.name}: the run failed; the server's log, its last lines "
            f"({server.log_path}):\n{server.log_tail(80)}")
        raise
    finally:
        if not server.alive() and server.process is not None:
            say(f"{store.name}: the server died:\n{server.log_tail(60)}")
        server.stop()
    out["errors"] = sum(rec.errors.values())
    out["errors_by"] = dict(rec.errors)
    out["requests"] = load.by_name(rec, load.CASEWORK, load.MANAGEMENT, load.HEALTH,
                                   load.ALLOCATION)
    if rec.errors:
        tail = server.log_tail(80)
        out["error_examples"] = rec.examples
        say(f"{store.name}: {out['errors']} errors; examples:\n  " + "\n  ".join(rec.examples))
        say(f"{store.name}: the server's log, its last lines ({server.log_path}):\n{tail}")
    after = st.facts_after(store.env)
    out.update({k: v for k, v in after.items() if k != "events_after"})
    out["events_written"] = after["events_after"] - before["events"]
    out["targets"] = {name: (out.get(name) is not None and bool(test(out[name])))
                      for name, (_, test) in TARGETS.items()}
    return out


def report(r: dict[str, Any]) -> None:
    say(f"\n{r['store']} ({r['where']}): {r['events']:,} events, {r['waiting']:,} waiting, "
        f"{r['places']:,} places ({r['vacant_places']} vacant); {r['users']} users, "
        f"{r['server_workers']} server process(es), {r['load_seconds']} s of load")
    for name, (target, _) in TARGETS.items():
        value = r.get(name)
        met = "met" if r["targets"][name] else "NOT met"
        say(f"  {name:<28} {value!s:>10}   target {target:<24} {met}")
    say(f"  health_p95_ms {r['health_p95_ms']} (the floor), case work p50 "
        f"{r['casework_p50_ms']} ms, full mix p50 {r['fullmix_p50_ms']} ms, "
        f"{r['fullmix_rps']} req/s; writes {r['writes']} ({r['writes_share']:.0%} of case "
        f"work); memory peak {r['memory_peak_mb']} MB; {r['runs_recorded']} runs listed; "
        f"CPU cores busy under load: the server {r['server_cpu_cores']}, this client "
        f"{r['client_cpu_cores']}, other programs {r['others_cpu_cores']}")
    say("  per request (n, p50, p95 ms): " + "; ".join(
        f"{n} {v['n']} {v['p50_ms']} {v['p95_ms']}" for n, v in r["requests"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--events", type=int, help="events to generate (default 477,000; "
                        "--quick 20,000)")
    parser.add_argument("--waiting", type=int, help="a generated store's waiting list is "
                        "topped up to this many persons (default 1,744; --quick 200)")
    parser.add_argument("--db", type=Path, help="the SQLite store (reused when present)")
    parser.add_argument("--schema", help="the PostgreSQL schema (reused when present)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--users", type=int, help="concurrent users (default 20)")
    parser.add_argument("--seconds", type=float, help="seconds of load (default 60)")
    parser.add_argument("--server-workers", type=int, default=1,
                        help="server processes (python -m api --workers N)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--quick", action="store_true",
                        help="a small store (20,000 events), 5 users, 10 s")
    args = parser.parse_args()
    args.events = args.events or (20_000 if args.quick else 477_000)
    args.waiting = args.waiting if args.waiting is not None else (200 if args.quick else 1744)
    args.users = args.users or (5 if args.quick else 20)
    args.seconds = args.seconds or (10.0 if args.quick else 60.0)
    if args.users < 2:
        parser.error("--users: at least 2 (an officer and a manager)")
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    results: dict[str, Any] = {}
    tmp = Path(tempfile.mkdtemp(prefix="lto-bench-service-"))
    keep_tmp = False
    try:
        for name in stores:
            t0 = time.perf_counter()
            with st.prepared(name, events=args.events, waiting=args.waiting, db=args.db,
                             schema=args.schema, keep=args.keep, tmp=tmp / name,
                             say=say) as store:
                result = run_store(store, args, tmp)
            result["seconds"] = round(time.perf_counter() - t0, 1)
            keep_tmp = keep_tmp or result["errors"] > 0
            report(result)
            results[name] = result
    except BaseException:
        keep_tmp = True
        raise
    finally:
        if keep_tmp:
            say(f"(the servers' logs are kept in {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(results, default=str), flush=True)


if __name__ == "__main__":
    main()
