"""``python -m projections rebuild``: replay the log into new read models, which then take
the place of the current ones (which serve until then).
``python -m projections catch-up``: apply what the log holds beyond the tracked position.
``python -m projections quarantine``: list the events the read side set aside because it
could not apply them (position, when, topic, aggregate, error; exit status 1 if any).
``python -m projections run``: the projector as a process of its own — keep the read models
current until stopped (SIGTERM or Ctrl-C), woken by PostgreSQL's notifications where the
store has them and polling every ``--interval`` seconds otherwise; read models lagging far
behind at start are rebuilt first. The servers then run with ``LTO_PROJECTOR=external``
(``python -m api --workers N`` starts this process itself). With
``--check-deadlines-every S`` it also runs the scheduled deadline check every S seconds
(offers past their answer deadline lapse, R26; due breaches are recorded, R18): once for
the whole service, instead of in every server process.

The store is chosen by eventsourcing's variables (``PERSISTENCE_MODULE``, ``SQLITE_DBNAME``,
``POSTGRES_*`` including ``POSTGRES_SCHEMA``), as for the service itself. A rebuild of a
large log folds it in worker processes (``--workers``; by default 2 from
``PARALLEL_FROM`` notifications on a machine with more than one core, 1 means none).
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from typing import Any

from application import memory
from application.bootstrap import create_service
from projections.read_side import REBUILD_BATCH, REBUILD_BEHIND, ReadSide


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections")
    parser.add_argument("command", choices=["rebuild", "catch-up", "run", "quarantine"])
    parser.add_argument("--workers", type=int, default=None,
                        help="processes folding the log in a rebuild (1: this one only)")
    parser.add_argument("--batch", type=int, default=REBUILD_BATCH,
                        help="notifications per transaction")
    parser.add_argument("--interval", type=float, default=0.05,
                        help="run: seconds between polls when nothing wakes the projector")
    parser.add_argument("--rebuild-behind", type=int, default=REBUILD_BEHIND,
                        help="run: rebuild first when this many events behind at start")
    parser.add_argument("--check-deadlines-every", type=float, default=0.0, metavar="S",
                        help="run: the deadline check every S seconds (0: never)")
    args = parser.parse_args(argv)
    service = create_service()
    try:
        read = ReadSide(service)
        if args.command == "run":
            return run(read, args.interval, args.rebuild_behind, args.check_deadlines_every)
        if args.command == "quarantine":
            return show_set_aside(read)
        started = time.perf_counter()
        if args.command == "rebuild":
            count = read.rebuild(batch=args.batch, workers=args.workers)
        else:
            count = read.catch_up(batch=args.batch)
        seconds = time.perf_counter() - started
        rate = f", {count / seconds:,.0f} events/s" if seconds > 0 and count else ""
        print(f"{args.command}: {count} events in {seconds:.2f} s{rate}, at {read.position()}")
    finally:
        service.close()
    return 0


def show_set_aside(read: ReadSide) -> int:
    """List the events set aside (exit 1 if there are any, for monitoring)."""
    events = read.set_aside()
    for e in events:
        print(f"{e['position']}\t{e['set_aside_at']}\t{e['topic']}\t{e['originator_id']}"
              f"\t{e['error']}")
    print(f"{len(events)} events set aside (the read models lack what they would have "
          "changed; after a fix, rebuild)")
    return 1 if events else 0


def run(read: ReadSide, interval: float, rebuild_behind: int, check_every: float = 0.0
        ) -> int:
    """Keep the read models current until SIGTERM or SIGINT; with ``check_every``, run
    the deadline check that often (:func:`deadline_round`)."""
    stop = threading.Event()

    def stopping(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    end = read.app.recorder.max_notification_id() or 0
    if end - read.position() >= rebuild_behind:
        started = time.perf_counter()
        count = read.rebuild()
        print(f"projector: rebuilt the read models from {count} events in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    read.start(interval=interval)
    try:
        read.wait_for(end, timeout=3600)
        analyze_round(read)
        memory.give_back()  # what a rebuild or a long catch-up used, back to the system
        print(f"projector: running, at {read.known_position()}", flush=True)
        checked = analyzed = time.monotonic()
        while not stop.wait(min(1.0, check_every) if check_every > 0 else 1.0):
            if read.error is not None:
                raise read.error
            if check_every > 0 and time.monotonic() - checked >= check_every:
                deadline_round(read)
                checked = time.monotonic()
            if time.monotonic() - analyzed >= ANALYZE_EVERY_S:
                analyze_round(read)
                analyzed = time.monotonic()
    finally:
        read.stop()
    print(f"projector: stopped at {read.known_position()}", flush=True)
    return 0


#: How often the projector looks for read-model tables whose planner statistics are stale
#: (PostgreSQL; autovacuum does it too where it is on, as it should be in production).
ANALYZE_EVERY_S = 600.0


def analyze_round(read: ReadSide) -> None:
    """PostgreSQL: statistics for the tables written in bulk since (see
    :meth:`ReadSide.analyze_stale`, which logs a failure; the next round tries again)."""
    tables = read.analyze_stale()
    if tables:
        print(f"projector: planner statistics gathered for {len(tables)} tables", flush=True)


def deadline_round(read: ReadSide) -> None:
    """One round of the deadline check over the cases on the list (R26, R18); a failure is
    logged and the next round tries again (the check is idempotent)."""
    try:
        lapsed, breached = read.app.deadline_round(read)  # type: ignore[attr-defined]
        if lapsed or breached:
            print(f"projector: deadline check: {len(lapsed)} offers lapsed, "
                  f"{len(breached)} breaches recorded", flush=True)
    except Exception:
        logging.getLogger(__name__).exception("projector: the deadline check failed")


if __name__ == "__main__":
    raise SystemExit(main())
