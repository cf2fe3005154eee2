"""Kill -9 at random moments (issue 15, "How we will know"): the service as a real process
on SQLite and PostgreSQL, a client writing case stories with idempotency keys, the server
killed with SIGKILL among the writes and restarted, every unanswered request retried with
its key and body. On the store afterwards: no acknowledged write lost, none written twice,
every write of a case saved with its access-log entry, and the read models the server left
equal to a rebuild. ``bench/faults.py`` is the long run (see ``tests/faults/machinery.py``).

The seed of a run is random (``LTO_FAULTS_SEED`` fixes it) and printed with any failure;
the moments of the kills are drawn from it, where in a request each lands is not.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import postgres_env, sqlite_env
from tests.faults.machinery import run_faults

WRITES = 120
KILLS = 3


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, str]]:
    if request.param == "sqlite":
        return "sqlite", sqlite_env(tmp_path / "events.sqlite")
    return "postgres", postgres_env(request.getfixturevalue("pg_schema"))


def test_kill9_at_random_moments_loses_nothing_and_writes_nothing_twice(
        store: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    name, env = store
    seed = int(os.environ["LTO_FAULTS_SEED"]) if "LTO_FAULTS_SEED" in os.environ else None
    figures = run_faults(name, env, tmp_path / "data", writes=WRITES, kills=KILLS, seed=seed)
    report = figures.report()
    # the run did what it says: every kill made, every write answered
    assert figures.kills == KILLS, report
    assert figures.writes == WRITES and figures.unexpected_answers == [], report
    assert figures.acknowledged == WRITES, report
    # each kill holds a write back and lets it meet the dead server: it is sent again
    assert figures.retried >= KILLS, report
    # every tenth write is sent again after its answer: the same answer, nothing written
    assert figures.resent == WRITES // 10 and figures.resent_other_answer == [], report
    assert figures.events > WRITES, report
    # what the issue asks
    assert figures.counts() == {"acknowledged_lost": 0, "duplicates": 0,
                                "writes_without_log_entry": 0, "read_model_diffs": 0}, report
    assert figures.writes_without_any_entry == 0 and figures.refused_but_written == 0, report
