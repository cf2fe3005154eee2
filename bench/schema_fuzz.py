"""Schemathesis with every check and many examples, on both stores (issue 15: "schemathesis
with all its checks, its conformance checks included, and more examples").

The suite's run (``tests/api/test_schema_fuzz.py``) sends 5 generated requests per
operation and mode on SQLite; this one sends ``--examples`` (default 50) per operation and
mode — valid by the schema with random ids, valid with real ids, invalid by the schema —
on a SQLite file and on a fresh PostgreSQL schema, with the checks of
``tests/api/fuzzing.py``: every built-in check (no 500; status code, content type, body and
headers conform to the schema; negative data rejected; ``Allow`` on 405; ...) and
"positive data accepted" read as "refused only by a rule of the domain, never for its
shape". ``--seed`` varies the examples (without it they are the same every run).

    .venv/bin/python bench/schema_fuzz.py [--examples N] [--store sqlite|postgres|both]
                                          [--seed N]

The last line is one JSON object: per store, ``operations``, ``examples_per_operation``,
``requests_at_most``, ``failures`` (the count; each failure is printed above it) and
``seconds``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from api.auth import LocalIssuer  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from application.clock import ManualClock  # noqa: E402
from application.service import AllocationService  # noqa: E402
from tests.api.conftest import Tokens, make_app  # noqa: E402
from tests.api.fuzzing import MODES, fuzz  # noqa: E402
from tests.builders import START  # noqa: E402

PG_CONNINFO = "host=127.0.0.1 port=5432 dbname=test user=postgres"


def _env(store: str, tmp: Path) -> tuple[dict[str, str], str | None]:
    if store == "sqlite":
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(tmp / "events.sqlite")}, None
    schema = f"bench_fuzz_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": "5432", "POSTGRES_DBNAME": "test", "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema}, schema


def run_store(store: str, examples: int, seed: int | None) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    started = time.perf_counter()
    failures: list[str] = []
    operations = 0
    for mode in MODES:  # a fresh store per mode, as the suite's run has
        with tempfile.TemporaryDirectory() as tmp:
            env, schema = _env(store, Path(tmp))
            clock = ManualClock(START)
            service = AllocationService(env=env, clock=clock)
            try:
                settings = ApiSettings(data_dir=Path(tmp) / "data", demo=False,
                                       deadline_check_interval_s=0, read_timeout_s=10)
                issuer = LocalIssuer(settings, key=key)
                app = make_app(settings, service, issuer)
                count, found = fuzz(app, Tokens(issuer, clock), mode, examples, seed=seed)
                operations = max(operations, count)
                failures += [f"[{store}, {mode}] {f}" for f in found]
                print(f"{store} {mode}: {count} operations, {len(found)} failing", flush=True)
            finally:
                service.close()
                if schema is not None:
                    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
                        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    for failure in failures:
        print(failure, "\n")
    return {"operations": operations, "examples_per_operation": examples,
            "requests_at_most": operations * examples * len(MODES),
            "failures": len(failures), "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    stores = ("sqlite", "postgres") if args.store == "both" else (args.store,)
    out = {store: run_store(store, args.examples, args.seed) for store in stores}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
