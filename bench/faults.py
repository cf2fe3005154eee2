"""Fault injection, the long run (issue 15, "How we will know"): the service as a real
process on each store, 1,000 writes with idempotency keys in case stories (applications,
documentation, decisions, priorities, wishes, offers, answers, admissions), killed with
SIGKILL at 10 random moments among them and restarted, every unanswered request retried
with its key and body; then the store is examined. The machinery is the suite's
(``tests/faults/machinery.py``, whose docstring says what is counted).

    .venv/bin/python bench/faults.py [--writes N] [--kills K] [--workers W] [--seed S]
                                     [--skip-postgres]

Progress on stderr (and what any nonzero count is made of); the last line on stdout is one
JSON object, per store: ``acknowledged_lost``, ``duplicates``, ``writes_without_log_entry``,
``read_model_diffs`` (all expected 0) and what the run did (writes, kills, retried
requests, …). Exit status 1 when a count is not 0. PostgreSQL: the suite's server
(``TEST_POSTGRES_*``), in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from tests.conftest import PG, postgres_env, sqlite_env
from tests.faults.machinery import Figures, run_faults


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_store(store: str, args: argparse.Namespace, seed: int | None) -> Figures:
    with tempfile.TemporaryDirectory(prefix=f"faults-{store}-") as tmp:
        data = Path(tmp) / "data"
        if store == "sqlite":
            return run_faults(store, sqlite_env(Path(tmp) / "events.sqlite"), data,
                              writes=args.writes, kills=args.kills, workers=args.workers,
                              seed=seed, progress=progress)
        schema = f"faults_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(connect_timeout=5, autocommit=True, **PG) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            return run_faults(store, postgres_env(schema), data, writes=args.writes,
                              kills=args.kills, workers=args.workers, seed=seed,
                              progress=progress)
        finally:
            with psycopg.connect(connect_timeout=5, autocommit=True, **PG) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="client threads (4)")
    parser.add_argument("--seed", type=int, help="default: a random one (printed)")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    stores = ["sqlite"] if args.skip_postgres else ["sqlite", "postgres"]
    out: dict[str, dict[str, Any]] = {}
    failed = False
    for store in stores:
        figures = run_store(store, args, args.seed)
        out[store] = figures.summary()
        if any(figures.counts().values()) or figures.unexpected_answers:
            failed = True
            progress(f"{store}: {figures.report()}")
    print(json.dumps(out, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
