"""The operator's command line: ``python -m application.cli COMMAND``.

    seed-demo [--municipality M] [--until ISO]   a demo municipality with two years of history
    check-deadlines [--municipality M]           record deadline breaches (R18) due now
    rebuild-projections                          drop the read models and replay the log
    allocate --municipality M [--officer NAME]   propose offers for the vacant places (R17)
    backup --to FILE                             copy the store while the service runs
    restore --from FILE [--keep-read-models]     a backup into an empty place, then rebuild

The store is chosen as for the service (:func:`application.bootstrap.create_service`):
``PERSISTENCE_MODULE``, ``SQLITE_DBNAME`` (default ``$LTO_DATA_DIR/events.sqlite``),
``POSTGRES_*``, ``CIPHER_*``. ``check-deadlines`` and ``allocate`` find the waiting cases in
the read models (the service's, in the same database), brought up to date first.
``backup`` copies the whole store — events, read models, idempotency keys, revoked tokens —
as one consistent snapshot while the service runs: SQLite with the online backup API,
PostgreSQL with ``pg_dump`` of the store's schema (:mod:`application.backup`). ``restore``
puts a backup in a place that holds no store yet (SQLite: a file that does not exist;
PostgreSQL: a database without the schema, with ``pg_restore``) and rebuilds the read
models from the restored events.
Long work shows its progress on stderr; results go to stdout.
Exit status: 0 done, 1 the store or another failure, 2 a refused command or bad arguments.
Names of persons are printed (an operator's screen), identity numbers never.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from application.errors import ConfirmationRequired
from domain.errors import DomainError

if TYPE_CHECKING:
    from application.service import AllocationService


class Progress:
    """A progress line on stderr, redrawn at most ten times a second."""

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.shown = 0.0
        self.tty = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown < (0.1 if self.tty else 2.0):
            return
        self.shown = now
        percent = 100 * done // total if total else 100
        end = "\r" if self.tty and done < total else "\n"
        self.stream.write(f"{self.what}: {done}/{total} ({percent} %){end}")
        self.stream.flush()


def _service() -> AllocationService:
    from application.bootstrap import create_service

    return create_service()


def _until(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("--until needs a time zone, e.g. 2026-03-02T12:00+01:00")
    return moment


def cmd_seed_demo(service: AllocationService, args: argparse.Namespace) -> int:
    from application.seed import seed_demo

    summary = seed_demo(service, municipality=args.municipality, until=_until(args.until),
                        progress=Progress(f"seeding {args.municipality}"))
    print("\n".join(summary.lines()))
    return 0


def _use_read_side(service: AllocationService) -> None:
    """Let the service find the waiting cases in the read models rather than by scanning
    the whole event log; bring them up to date first, with progress when far behind (the
    first time on a store the service has never read)."""
    from projections.read_side import BATCH, ReadSide

    read = ReadSide(service)
    total = service.recorder.max_notification_id() or 0
    if total - read.position() > 10 * BATCH:
        progress = Progress("bringing the read models up to date")
        while read.catch_up(limit=10 * BATCH):
            progress(min(read.position(), total), total)
        progress(total, total)
    service.use_waiting_cases(read)


def cmd_check_deadlines(service: AllocationService, args: argparse.Namespace) -> int:
    """R18: any scheduler may run it, as often as it likes; a breach is recorded once."""
    _use_read_side(service)
    ids = list(service.waiting_case_ids(args.municipality))
    progress = Progress("checking deadlines")
    breached: list[Any] = []
    chunk = 50
    for start in range(0, len(ids), chunk):
        breached += service.check_deadlines(args.municipality, case_ids=ids[start:start + chunk])
        progress(min(start + chunk, len(ids)), len(ids))
    where = f"municipality {args.municipality}" if args.municipality else "all municipalities"
    print(f"{len(breached)} new deadline breaches in {where} ({len(ids)} cases checked)")
    for case_id in breached:
        print(f"  breach recorded: case {case_id}")
    return 0


def cmd_rebuild_projections(service: AllocationService, args: argparse.Namespace) -> int:
    from projections.read_side import ReadSide

    read = ReadSide(service)
    total = service.recorder.max_notification_id() or 0
    progress = Progress("rebuilding read models")
    result: dict[str, Any] = {}

    def rebuild() -> None:
        try:
            result["count"] = read.rebuild()
        except BaseException as exc:  # reported by the main thread
            result["error"] = exc

    started = time.perf_counter()
    worker = threading.Thread(target=rebuild, name="rebuild")
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        if worker.is_alive():
            progress(min(read.position(), total), total)
    if "error" in result:
        raise result["error"]
    progress(total, total)
    seconds = time.perf_counter() - started
    print(f"rebuilt the read models: {result['count']} events in {seconds:.1f} s, "
          f"at position {read.position()}")
    return 0


def cmd_allocate(service: AllocationService, args: argparse.Namespace) -> int:
    """Propose offers for the vacant places; an officer approves each one (R17)."""
    _use_read_side(service)
    sys.stderr.write(f"allocating for {args.municipality}: building the problem and solving…\n")
    try:
        run_id = service.run_allocation(args.municipality, started_by=args.officer,
                                        confirm_unassessed=args.confirm_unassessed)
    except ConfirmationRequired as exc:  # R16, R17: the officer confirms first
        sys.stderr.write(f"{exc.message}\n  not assessed: {', '.join(exc.case_ids)}\n"
                         "  run again with --confirm-unassessed to proceed\n")
        return 3
    run = service.get_allocation_run(args.municipality, run_id)
    print(format_run(service, args.municipality, run))
    return 0


def format_run(service: AllocationService, municipality: str, run: Any) -> str:
    """The proposal in the allocation unit's words: who is proposed which place."""
    plan = run.plan
    problem = run.problem
    assignments = plan.get("assignments", [])
    lines = [
        f"allocation run {run.id} as of {run.as_of} (started by {run.started_by})",
        f"  {len(problem.get('persons', []))} waiting, {len(problem.get('vacancies', []))} "
        f"vacant places, {len(problem.get('purchasable', []))} places from other providers",
        f"  proposed offers: {len(assignments)}; not placed: {len(plan.get('unplaced', []))}",
    ]
    explanations = {e["case_id"]: e for e in plan.get("explanations", [])}
    for a in assignments:
        name = _case_name(service, municipality, a["case_id"])
        where = "own place" if a["kind"] == "own" else \
            f"purchase at {a['price_per_day_ore'] / 100:.2f} NOK/day"
        rank = explanations.get(a["case_id"], {}).get("waiting_list_rank")
        lines.append(f"  #{rank} {name}: {a['facility_id']} ({a['place_type']}, "
                     f"{a['room']} room, {where})")
    lines.append("  each offer is made when an officer approves it (R17)")
    return "\n".join(lines)


def _case_name(service: AllocationService, municipality: str, case_id: str) -> str:
    from uuid import UUID

    try:
        return service.get_case(municipality, UUID(case_id)).person.name
    except DomainError:
        return f"case {case_id}"


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the whole store while the service runs."""
    from pathlib import Path

    from application.backup import backup_postgres, backup_sqlite, store_location

    where = store_location()
    target = Path(args.to)
    started = time.perf_counter()
    if where.sqlite_path is not None:
        backup_sqlite(where.sqlite_path, target)
        source = str(where.sqlite_path)
    elif where.is_postgres:
        backup_postgres(where.postgres, target)
        source = f"schema {where.postgres.get('schema') or '(all)'} of database " \
                 f"{where.postgres.get('dbname')}"
    else:
        print(f"error: no backup for the store {where.module}", file=sys.stderr)
        return 2
    print(f"backed up {source} to {target} ({target.stat().st_size} bytes) in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """A backup into the configured place, which holds no store yet; then the read models
    are rebuilt from the restored events (unless ``--keep-read-models``)."""
    from pathlib import Path

    from application.backup import restore_postgres, restore_sqlite, store_location

    where = store_location()
    backup = Path(args.source)
    if where.sqlite_path is not None:
        restore_sqlite(backup, where.sqlite_path)
        target = str(where.sqlite_path)
    elif where.is_postgres:
        restore_postgres(where.postgres, backup)
        target = f"database {where.postgres.get('dbname')}"
    else:
        print(f"error: no restore for the store {where.module}", file=sys.stderr)
        return 2
    print(f"restored {backup} to {target}")
    if args.keep_read_models:
        return 0
    service = _service()
    try:
        return cmd_rebuild_projections(service, args)
    finally:
        service.close()


#: Commands on the store as a whole: they open no service first (a restore must find its
#: place empty).
STORE_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "backup": cmd_backup,
    "restore": cmd_restore,
}

def cmd_assign_case_numbers(service: AllocationService, args: argparse.Namespace) -> int:
    """Give a case number to every case recorded before case numbers existed (idempotent;
    the server does it at start too)."""
    print(f"case numbers assigned: {service.assign_missing_case_numbers()}")
    return 0


COMMANDS: dict[str, Callable[[AllocationService, argparse.Namespace], int]] = {
    "assign-case-numbers": cmd_assign_case_numbers,
    "seed-demo": cmd_seed_demo,
    "check-deadlines": cmd_check_deadlines,
    "rebuild-projections": cmd_rebuild_projections,
    "allocate": cmd_allocate,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m application.cli",
        description="Operator commands for the long-term stay service (langtidsopphold).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    seed = sub.add_parser("seed-demo", help="seed a demo municipality (idempotent)")
    seed.add_argument("--municipality", default="4601", help="municipality number (4601)")
    seed.add_argument("--until", help="end of the history, ISO with time zone (default now)")
    check = sub.add_parser("check-deadlines", help="record deadline breaches due now (R18)")
    check.add_argument("--municipality", help="only this municipality (default: all)")
    sub.add_parser("rebuild-projections", help="drop the read models and replay the log")
    sub.add_parser("assign-case-numbers",
                   help="give a case number to every case recorded before case numbers")
    allocate = sub.add_parser("allocate", help="propose offers for the vacant places (R17)")
    allocate.add_argument("--municipality", required=True, help="municipality number")
    allocate.add_argument("--officer", default=os.environ.get("USER") or "operator",
                          help="who starts the run (default: $USER)")
    allocate.add_argument("--confirm-unassessed", action="store_true",
                          help="proceed although persons on the list are not assessed (R16)")
    backup = sub.add_parser("backup", help="copy the store while the service runs")
    backup.add_argument("--to", required=True, metavar="FILE",
                        help="a new file (SQLite: a SQLite file; PostgreSQL: pg_dump's "
                        "custom format); never overwritten")
    restore = sub.add_parser("restore", help="a backup into a place without a store, then "
                             "rebuild the read models")
    restore.add_argument("--from", dest="source", required=True, metavar="FILE",
                         help="a file made by backup")
    restore.add_argument("--keep-read-models", action="store_true",
                         help="keep the read models as backed up (no rebuild)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in STORE_COMMANDS:
        from application.backup import BackupError

        try:
            return STORE_COMMANDS[args.command](args)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    try:
        service = _service()
    except Exception as exc:
        print(f"error: cannot open the event store: {exc}", file=sys.stderr)
        return 1
    try:
        return COMMANDS[args.command](service, args)
    except DomainError as exc:
        print(f"error: {exc.message}" + (f" (field: {exc.field})" if exc.field else ""),
              file=sys.stderr)
        return 2
    except argparse.ArgumentTypeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        print(f"error: {args.command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        service.close()


if __name__ == "__main__":
    raise SystemExit(main())
