"""``python -m simulation run --scenario FILE --years 10 --seeds 20 [--out FOLDER]``

Runs the scenarios (as ``python -m simulator run``) with a progress bar on stderr and
writes a results folder: ``<measure>.csv`` per measure (scenario, mean, low, high, n),
``summary.json`` (everything) and ``rapport.html`` (the measures side by side, in
Norwegian). A bad setting exits with status 2 naming its field.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import sys
from pathlib import Path
from typing import Any

from simulator.__main__ import _scenarios
from simulator.compare import MEASURES, compare
from simulator.profile import SettingError
from simulator.scenario import METHODS
from simulator.words import GROUPS, MEASURE_WORDS, TYPE_WORDS, cell


def bar(share: float, width: int = 40) -> str:
    done = round(share * width)
    return f"\r[{'#' * done}{'.' * (width - done)}] {share:6.1%}"


def write_results(result: dict[str, Any], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(result, ensure_ascii=False, indent=2),
                                         encoding="utf-8")
    for measure in MEASURES:
        with (folder / f"{measure}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["scenario", "mean", "low", "high", "n"])
            for s in result["scenarios"]:
                v = s["measures"][measure]
                w.writerow([s["scenario"]["name"], v["mean"], v["low"], v["high"], v["n"]])
    (folder / "rapport.html").write_text(report(result), encoding="utf-8")


def _bar(share: float) -> str:
    return (f"<div style='background:#1f6feb;height:6px;width:{max(0.0, share) * 100:.0f}%'>"
            "</div>")


def report(result: dict[str, Any]) -> str:
    """The measures side by side by section (:data:`simulator.words.GROUPS`), each mean
    with its 95 % interval (within the values the measure can take) and a bar per
    scenario; then the occupancy per place type."""
    scenarios = result["scenarios"]
    names = [html.escape(s["scenario"]["name"]) for s in scenarios]
    width = len(names) + 1
    rows = []
    for heading, measures in GROUPS:
        rows.append(f"<tr><th colspan='{width}' style='text-align:left;padding-top:1em'>"
                    f"{html.escape(heading)}</th></tr>")
        for m in measures:
            values = [s["measures"][m] for s in scenarios]
            top = max((v["high"] or v["mean"] or 0) for v in values) or 1
            cells = "".join(f"<td>{html.escape(cell(m, v))}{_bar((v['mean'] or 0) / top)}</td>"
                            for v in values)
            rows.append(f"<tr><td>{html.escape(MEASURE_WORDS[m])}</td>{cells}</tr>")
    rows.append(f"<tr><th colspan='{width}' style='text-align:left;padding-top:1em'>Belegg"
                "</th></tr>")
    for kind, words in TYPE_WORDS.items():
        cells = "".join(
            f"<td>{html.escape(cell(kind, s['measures']['occupancy'].get(kind, {}), share=True))}"
            "</td>" for s in scenarios)
        rows.append(f"<tr><td>Belegg, {html.escape(words)}</td>{cells}</tr>")
    head = "".join(f"<th>{n}</th>" for n in names)
    years = f"{result['years']:g}".replace(".", ",")
    return (f"<!doctype html><html lang='nb'><meta charset='utf-8'><title>Hva om? – resultater"
            f"</title><h1>Hva om? – resultater</h1><p>{years} år, {result['seeds']} "
            "kjøringer per scenario; gjennomsnitt over kjøringene med 95 % konfidensintervall "
            "i parentes, avgrenset til mulige verdier. Antallene gjelder hele perioden.</p>"
            f"<table><tr><th>Mål</th>{head}</tr>{''.join(rows)}</table></html>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulation")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run scenarios and write a results folder")
    run.add_argument("--years", type=float, default=10.0)
    run.add_argument("--places", type=int, default=None)
    run.add_argument("--seeds", type=int, default=20)
    run.add_argument("--scenario", action="append", help="a JSON scenario file")
    run.add_argument("--method", action="append", choices=METHODS)
    run.add_argument("--out", type=Path, default=Path("simulation-results"))
    args = parser.parse_args(argv)
    try:
        scenarios = _scenarios(args)
    except SettingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError) as e:
        print(f"error: scenario file: {e}", file=sys.stderr)
        return 2
    result = compare(scenarios, years=args.years, seeds=args.seeds,
                     progress=lambda s: print(bar(s), end="", file=sys.stderr, flush=True))
    print(file=sys.stderr)
    write_results(result, args.out)
    print(args.out / "summary.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
