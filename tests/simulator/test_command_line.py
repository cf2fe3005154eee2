"""``python -m simulation run``: a results folder, and a bad value named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulation.__main__ import main


def test_a_scenario_file_with_a_bad_value_is_refused_naming_the_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"policy": {"guarantee_months": 0}}), encoding="utf-8")
    assert main(["run", "--scenario", str(f), "--out", str(tmp_path / "out")]) == 2
    assert "policy.guarantee_months" in capsys.readouterr().err


def test_a_run_writes_csv_per_measure_json_and_html(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps([{"name": "fcfs", "method": "fcfs", "profile": {"places": 12}}]),
                 encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--scenario", str(f), "--years", "0.1", "--seeds", "2",
                 "--out", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["seeds"] == 2
    assert (out / "wait_to_admission_p90.csv").read_text().startswith("scenario,mean")
    report = (out / "rapport.html").read_text()
    assert "Hva om?" in report
    # the measures in words, no code names (the report is read by people)
    assert "Fristbrudd per 100 vedtak" in report and "breaches_per_100" not in report
    # moves and complaints (R28, R21) have their CSVs and their sections
    for measure in ("moves", "need_changes", "complaints", "complaints_open"):
        assert (out / f"{measure}.csv").read_text().startswith("scenario,mean")
    assert "Flytting av beboere" in report and "Klager på avslag" in report
