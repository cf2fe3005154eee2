"""``bench/service.py --quick`` runs end to end: a small generated store, the real server as a
process, the figures alone and under a short load. Its last line is the JSON the issue asks
for, with no error and every figure a positive number (the targets are the benchmark's to
report, not this test's to assert)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("casework_p95_ms", "casework_rps", "fullmix_p95_ms", "errors", "statistics_ms",
        "deadline_monitor_ms", "allocation_run_s", "health_p95_ms", "events", "waiting",
        "places", "allocation_run_under_load_s", "runs_list_ms", "list_view_entry_bytes",
        "first_start_s", "memory_mb", "memory_peak_mb", "targets")
POSITIVE = [k for k in KEYS if k not in ("errors", "targets")]
#: Variables of the test's own environment that must not reach the benchmark's server.
_OWN = ("LTO_", "PERSISTENCE_", "SQLITE_", "POSTGRES_", "CIPHER_")


def run_quick(*args: str, timeout: float = 100) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN)}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "service.py"), "--quick",
                           *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def check(figures: dict, output: str = "") -> None:
    for key in KEYS:
        assert key in figures, key
    assert figures["errors"] == 0, figures.get("error_examples")
    for key in POSITIVE:
        value = figures[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert value > 0, (key, value)
    assert set(figures["targets"]) >= {"casework_p95_ms", "errors", "memory_mb"}
    assert all(isinstance(v, bool) for v in figures["targets"].values())
    assert figures["writes"] > 0 and figures["management_requests"] > 0


def test_the_service_benchmark_runs_quick_on_sqlite() -> None:
    result = run_quick("--store", "sqlite")
    assert set(result) == {"sqlite"}
    check(result["sqlite"])


@pytest.mark.postgres
def test_the_service_benchmark_runs_quick_on_postgres() -> None:
    result = run_quick("--store", "postgres")
    assert set(result) == {"postgres"}
    check(result["postgres"])
