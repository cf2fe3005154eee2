"""Start the service: ``python -m api`` (or ``./dev serve``).

uvicorn at http://127.0.0.1:8000 (``LTO_HOST``, ``LTO_PORT``) on the embedded SQLite store
(``data/events.sqlite``) unless ``PERSISTENCE_MODULE`` says otherwise. On the first start
with an empty store and ``LTO_DEMO`` on (the default), the demo municipality (4601) is
seeded first, with a progress line, so that /docs, a demo token and an allocation run are a
minute away.

``--workers N`` (N > 1) serves from N processes: uvicorn's workers, each with the app and a
pool of its own, reading the read models that one projector process keeps current
(``python -m projections run``, started and stopped with the server; the workers run with
``LTO_PROJECTOR=external``). On SQLite the processes share the file (WAL: readers never
block the writer); on PostgreSQL each has its own pool (``POSTGRES_POOL_SIZE``).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading

import uvicorn

from api import logs
from api.app import create_app
from api.settings import ApiSettings
from application import memory
from application.bootstrap import create_service
from application.service import AllocationService

log = logging.getLogger("api")


def seed_if_empty(service: AllocationService, settings: ApiSettings) -> bool:
    """Seed the demo municipality when the store holds no event yet. Returns whether it
    seeded."""
    if not settings.demo or service.recorder.max_notification_id():
        return False
    try:
        from application.seed import seed_demo
    except ImportError:  # pragma: no cover - the seed module ships with the application
        print("(no demo seed available: starting with an empty store)", file=sys.stderr)
        return False
    print(f"Tom database: legger inn demokommunen {settings.demo_municipality} "
          "(first start: seeding the demo municipality) …", flush=True)

    shown = -1

    def progress(done: int, total: int) -> None:
        nonlocal shown
        percent = 100 * done // max(total, 1)
        if percent != shown:
            shown = percent
            print(f"\r  {done}/{total} kommandoer ({percent} %)", end="", flush=True)

    summary = seed_demo(service, municipality=settings.demo_municipality, progress=progress)
    print(f"\r  ferdig: {summary.cases} saker, {summary.places} plasser, "
          f"{summary.events_written} hendelser på {summary.seconds:.0f} s", flush=True)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", help="default: LTO_HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, help="default: LTO_PORT or 8000")
    parser.add_argument("--no-seed", action="store_true", help="do not seed the demo data")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (more than 1: one projector process too)")
    args = parser.parse_args(argv)
    memory.limit_arenas()  # before the worker and projector processes start: they inherit it
    settings = ApiSettings()
    if args.workers > 1 and settings.training_clock:
        # the training clock lives in one process's memory: N workers would each keep
        # their own day, and a request would see whichever worker it reached
        parser.error("--workers > 1 cannot be used with LTO_TRAINING_CLOCK (the training "
                     "clock is kept in one process)")
    if args.no_seed:
        settings = settings.model_copy(update={"demo": False})
    host, port = args.host or settings.host, args.port or settings.port
    logs.install()  # every log record masked from the first one (uvicorn's access log too)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    logs.install()  # and the root handler basicConfig made
    service = create_service()
    seed_if_empty(service, settings)  # quietly: one progress line, not a line per command
    logging.getLogger().setLevel(logging.INFO)
    banner = (f"Langtidsopphold: http://{host}:{port}/docs  (token: POST /auth/demo-token "
              '{"username": "saksbehandler"})')
    # cases recorded before case numbers existed are numbered beside the serving (a store
    # of many years takes a while, once; until then they show as not yet numbered): in a
    # thread of this process, or with several processes in one of its own that ends when done
    if args.workers > 1:
        service.close()
        serve_workers(args.workers, host, port, settings, banner)
        return
    threading.Thread(target=_number_earlier_cases, args=(service,), name="case-numbers",
                     daemon=True).start()
    app = create_app(settings, service=service)
    print(banner, flush=True)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level,
                proxy_headers=False, server_header=False)


def _number_earlier_cases(service: AllocationService) -> None:
    try:
        service.assign_missing_case_numbers()
    except Exception as exc:  # the next start tries again; serving goes on
        logging.getLogger("api").error("case numbers: %s: %s", type(exc).__name__,
                                       logs.mask(str(exc)))


def serve_workers(workers: int, host: str, port: int, settings: ApiSettings,
                  banner: str) -> None:
    """N server processes and one projector process, stopped together."""
    # one deadline check for the service, in the projector (not one in every worker)
    projector = subprocess.Popen([sys.executable, "-m", "projections", "run",
                                  "--check-deadlines-every",
                                  str(settings.deadline_check_interval_s)])
    numbering = subprocess.Popen([sys.executable, "-m", "application.cli",
                                  "assign-case-numbers"], stdout=subprocess.DEVNULL)
    os.environ["LTO_PROJECTOR"] = "external"  # the workers' settings, read in each
    os.environ["LTO_DEADLINE_CHECK_INTERVAL_S"] = "0"
    os.environ.setdefault("LTO_CONNECTION_REQUESTS", "32")  # the work shared (api.turnover)
    print(f"{banner}  [{workers} prosesser]", flush=True)
    try:
        uvicorn.run("api.app:create_app", factory=True, workers=workers, host=host,
                    port=port, log_level=settings.log_level, proxy_headers=False,
                    server_header=False)
    finally:
        for child in (numbering, projector):
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    main()
