"""``python -m projections rebuild``: replay the log into new read models, which then take
the place of the current ones (which serve until then).
``python -m projections catch-up``: apply what the log holds beyond the tracked position.

The store is chosen by eventsourcing's variables (``PERSISTENCE_MODULE``, ``SQLITE_DBNAME``,
``POSTGRES_*`` including ``POSTGRES_SCHEMA``), as for the service itself. A rebuild of a
large log folds it in worker processes (``--workers``; by default 2 from
``PARALLEL_FROM`` notifications on a machine with more than one core, 1 means none).
"""

from __future__ import annotations

import argparse
import time

from application.bootstrap import create_service
from projections.read_side import REBUILD_BATCH, ReadSide


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections")
    parser.add_argument("command", choices=["rebuild", "catch-up"])
    parser.add_argument("--workers", type=int, default=None,
                        help="processes folding the log in a rebuild (1: this one only)")
    parser.add_argument("--batch", type=int, default=REBUILD_BATCH,
                        help="notifications per transaction")
    args = parser.parse_args(argv)
    service = create_service()
    try:
        read = ReadSide(service)
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


if __name__ == "__main__":
    raise SystemExit(main())
