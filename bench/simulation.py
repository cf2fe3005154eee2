"""Issue 20's speed targets: simulated years per wall minute at 500 and at 4,000 places.

    .venv/bin/python bench/simulation.py [--years-500 0.5] [--days-4000 60]
                                         [--theory-seeds 3] [--theory-years 0.5]

Each size runs the default profile with daily optimizer runs (each approved by an officer),
every invariant each day (beds and residences for what changed that day, every place and
resident on the first day, every 30th and the last) and the read-model replay check every
30th day and the last. The opening — registering the places and a resident in every bed
through the ordinary commands, and catching the read models up with it — is timed apart
(``setup_seconds_*``); the rate is of the simulated days after it, **extrapolated to a
year** (``years_per_minute_* = simulated days / 365.25 / wall minutes``): the measurements
are kept short (half a year at 500 places, 60 days at 4,000; two weeks held two replay
checks and the first full allocation read, where a year has 13 checks). The Erlang C check
is :func:`bench.simulator.erlang_c_check` (M/M/2 at three loads).

The last line is one JSON object: ``years_per_minute_500``, ``years_per_minute_4000``,
``erlang_c_relative_error``, ``invariant_violations``, and per size the days, wall, CPU
and setup seconds, the rate by this process's CPU time (``years_per_cpu_minute``: on a
machine shared with other work the wall clock also counts their share), events and checks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.simulator import erlang_c_check
from simulator.scenario import parse_scenario
from simulator.stage import InvariantViolation
from simulator.world import Simulation


class _Timed(Simulation):
    """A run that notes when its opening ended."""

    opened_at = 0.0
    cpu_opened_at = 0.0

    def open_municipality(self) -> None:
        super().open_municipality()
        self.opened_at = time.perf_counter()
        self.cpu_opened_at = time.process_time()


def speed(places: int, days: int) -> dict[str, Any]:
    """One run of ``days`` at ``places``: the rate of the days after the opening."""
    sim = _Timed(parse_scenario({"profile": {"places": places}}), 1, days / 365.25)
    started = time.perf_counter()
    violations, run = 0, {}
    try:
        run = sim.run()
    except InvariantViolation as e:
        print(f"invariant violated at {places} places: {e}", file=sys.stderr)
        violations = 1
    ended, cpu = time.perf_counter(), time.process_time() - sim.cpu_opened_at
    wall = ended - sim.opened_at
    out = {"places": places, "days": days, "setup_seconds": round(sim.opened_at - started, 1),
           "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
           "years_per_minute": round(days / 365.25 / (wall / 60), 2),
           # on a machine shared with other work: the rate by this process's own CPU time
           "years_per_cpu_minute": round(days / 365.25 / (cpu / 60), 2),
           "events": run.get("events"), "invariant_checks": run.get("invariant_checks"),
           "full_checks": run.get("full_checks"), "replay_checks": run.get("replay_checks"),
           "invariant_violations": violations}
    print(f"speed: {out}", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years-500", type=float, default=0.5)
    parser.add_argument("--days-4000", type=int, default=60)
    parser.add_argument("--theory-seeds", type=int, default=3)
    parser.add_argument("--theory-years", type=float, default=0.5)
    args = parser.parse_args()
    small = speed(500, max(1, round(args.years_500 * 365.25)))
    large = speed(4000, args.days_4000)
    theory = erlang_c_check(args.theory_seeds, args.theory_years)
    for load, row in theory.items():
        print(f"theory: load {load}: {row}", file=sys.stderr)
    print(json.dumps({
        "years_per_minute_500": small["years_per_minute"],
        "years_per_minute_4000": large["years_per_minute"],
        "erlang_c_relative_error": max(t["relative_error"] for t in theory.values()),
        "invariant_violations": small["invariant_violations"] + large["invariant_violations"],
        "extrapolated": "simulated days after the opening / 365.25 per wall minute",
        "run_500": small, "run_4000": large, "erlang_c": theory}))


if __name__ == "__main__":
    main()
