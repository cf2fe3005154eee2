"""``python -m api``: the first start with an empty store seeds the demo municipality;
a store that holds anything, or ``LTO_DEMO=false``, is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import application.seed
from api.__main__ import seed_if_empty
from api.settings import ApiSettings
from application.service import AllocationService
from tests.builders import place


def test_first_start_seeds_the_demo_municipality_once(
        tmp_path: Path, sqlite_service: AllocationService,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[dict[str, Any]] = []

    def fake_seed(service: AllocationService, **kwargs: Any) -> Any:
        calls.append(kwargs)
        kwargs["progress"](1, 2)
        kwargs["progress"](2, 2)
        place(service, municipality=kwargs["municipality"])

        class Summary:
            cases, places, events_written, seconds = 0, 1, 1, 0.1

        return Summary()

    monkeypatch.setattr(application.seed, "seed_demo", fake_seed)
    settings = ApiSettings(data_dir=tmp_path, demo_municipality="4601")
    assert seed_if_empty(sqlite_service, settings) is True
    assert [c["municipality"] for c in calls] == ["4601"]
    out = capsys.readouterr().out
    assert "2/2" in out and "100 %" in out
    assert seed_if_empty(sqlite_service, settings) is False, "the store is no longer empty"
    assert len(calls) == 1


def test_no_seed_when_demo_is_off(tmp_path: Path, sqlite_service: AllocationService,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(application.seed, "seed_demo",
                        lambda *a, **k: pytest.fail("seeded with LTO_DEMO off"))
    assert seed_if_empty(sqlite_service, ApiSettings(data_dir=tmp_path, demo=False)) is False
    assert not sqlite_service.recorder.max_notification_id()


def test_r21_several_workers_refuse_the_training_clock(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The training clock (R21's practice days) is one process's memory: with several
    server processes each would keep its own day, so the server refuses to start."""
    from api.__main__ import main

    monkeypatch.setenv("LTO_TRAINING_CLOCK", "true")
    monkeypatch.setenv("LTO_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as stopped:
        main(["--workers", "2", "--no-seed"])
    assert stopped.value.code == 2
    assert "LTO_TRAINING_CLOCK" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written


def test_r18_several_workers_check_deadlines_once_in_the_projector(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With N server processes the scheduled deadline check (R18, R26) runs in the one
    projector process, not in each worker; earlier cases are numbered in a process of
    their own; both are stopped with the server."""
    import api.__main__ as entry

    started: dict[str, Any] = {"terminated": 0}

    class Projector:
        def __init__(self, args: list[str], **_: Any) -> None:
            started["numbering" if "assign-case-numbers" in args else "projector"] = args

        def terminate(self) -> None:
            started["terminated"] += 1

        def wait(self, timeout: float) -> int:
            return 0

    def serve(*args: Any, **kwargs: Any) -> None:
        started["workers"] = kwargs["workers"]
        started["interval"] = ApiSettings().deadline_check_interval_s  # what a worker reads
        started["connection_requests"] = ApiSettings().connection_requests

    monkeypatch.setattr(entry.subprocess, "Popen", Projector)
    monkeypatch.setattr(entry.uvicorn, "run", serve)
    monkeypatch.setenv("LTO_DATA_DIR", str(tmp_path))
    # serve_workers sets these for its workers: registered here so they are undone after
    monkeypatch.setenv("LTO_DEADLINE_CHECK_INTERVAL_S", "3600")
    monkeypatch.setenv("LTO_PROJECTOR", "thread")
    monkeypatch.setenv("LTO_CONNECTION_REQUESTS", "0")
    monkeypatch.delenv("LTO_CONNECTION_REQUESTS")  # unset, and unset again afterwards
    entry.serve_workers(3, "127.0.0.1", 8999, ApiSettings(deadline_check_interval_s=600),
                        "banner")
    args = started["projector"]
    assert args[1:4] == ["-m", "projections", "run"]
    assert args[args.index("--check-deadlines-every") + 1] == "600.0"
    assert started["workers"] == 3 and started["interval"] == 0
    assert started["connection_requests"] == 32, "connections turned over (api.turnover)"
    assert started["numbering"][1:] == ["-m", "application.cli", "assign-case-numbers"]
    assert started["terminated"] == 2


def test_r18_r26_the_projectors_deadline_round_records_due_breaches(
        sqlite_service: AllocationService, clock: Any) -> None:
    from projections.__main__ import deadline_round
    from projections.read_side import ReadSide
    from tests.builders import waiting_case

    case_id = waiting_case(sqlite_service)
    read = ReadSide(sqlite_service)
    read.catch_up()
    deadline_round(read)
    assert sqlite_service.get_case("4601", case_id).guarantee.breaches == []
    clock.advance(days=100)  # past § 3-4's three months
    read.catch_up()
    deadline_round(read)
    assert len(sqlite_service.get_case("4601", case_id).guarantee.breaches) == 1
    deadline_round(read)  # once per period, however often it runs
    assert len(sqlite_service.get_case("4601", case_id).guarantee.breaches) == 1


def test_the_optimizer_is_loaded_ahead_and_a_failure_only_warns(monkeypatch, caplog) -> None:
    """The first allocation run after a start does not wait for OR-Tools to load: a server
    loads it once its read side is ready; if it cannot, it says so and serves on."""
    import subprocess
    import sys

    from api import deps

    loaded = subprocess.run(  # a fresh process: the server's modules load no solver
        [sys.executable, "-c", "import sys; from api import deps; "
         "before = 'optimizer.solver' in sys.modules; deps.warm_up_optimizer(); "
         "print(before, 'optimizer.solver' in sys.modules)"],
        capture_output=True, text=True, timeout=120, check=True)
    assert loaded.stdout.split() == ["False", "True"]

    def refuse(name: str) -> None:
        raise ImportError(f"no {name} here")

    monkeypatch.setattr(deps.importlib, "import_module", refuse)
    deps.warm_up_optimizer()  # no exception
    assert "optimizer not loaded ahead" in caplog.text
