"""``python -m projections rebuild``: drop the read models and replay them from the log.

The store is chosen by eventsourcing's variables (``PERSISTENCE_MODULE``, ``SQLITE_DBNAME``,
``POSTGRES_*`` including ``POSTGRES_SCHEMA``), as for the service itself.
"""

from __future__ import annotations

import argparse
import time

from application.bootstrap import create_service
from projections.read_side import ReadSide


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections")
    parser.add_argument("command", choices=["rebuild", "catch-up"])
    args = parser.parse_args(argv)
    service = create_service()
    try:
        read = ReadSide(service)
        started = time.perf_counter()
        count = read.rebuild() if args.command == "rebuild" else read.catch_up()
        seconds = time.perf_counter() - started
        print(f"{args.command}: {count} events in {seconds:.2f} s, at {read.position()}")
    finally:
        service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
