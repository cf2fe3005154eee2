"""Policy-lab benchmark: simulated years per wall minute, and the Erlang C check.

    .venv/bin/python bench/simulator.py [--places 120] [--years 3] [--theory-seeds 3]

- **speed**: one run of the default profile (optimizer, daily allocation runs, every
  invariant each day, the read-model replay check every 30th day) at ``--places`` for
  ``--years``;
- **theory**: first come, first served on one place type with exponential stays and
  allocation at once, started in the steady state, at loads 0.5, 0.65 and 0.8 (M/M/2,
  stays of a day), ``--theory-seeds`` seeds of ``--theory-years``: the seeds' mean wait
  with its 95 % interval against Erlang C, and the largest relative error.

The last line is one JSON object with stable keys: ``sim_years_per_minute``,
``wall_seconds``, ``places``, ``years``, ``events``, ``invariant_checks``,
``invariant_violations``, ``erlang_c_relative_error``, ``erlang_c`` (per load).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.scenario import parse_scenario, plain_queue
from simulator.stage import InvariantViolation
from simulator.stats import mean_ci
from simulator.theory import mm_c_mean_wait
from simulator.world import simulate


def erlang_c_check(seeds: int, years: float, servers: int = 2,
                   loads: tuple[float, ...] = (0.5, 0.65, 0.8)) -> dict[str, dict[str, Any]]:
    """The plain queue (M/M/``servers``, stays of a day, steady start) at each load over
    ``seeds`` seeds: the seeds' mean wait, its 95 % interval, and Erlang C's."""
    out = {}
    for load in loads:
        waits = [simulate(plain_queue(servers, load), seed, years,
                          replay_every_days=0)["wait_exact_mean"]
                 for seed in range(1, seeds + 1)]
        ci = mean_ci(waits)
        predicted = mm_c_mean_wait(load * servers, 1.0, servers)
        out[str(load)] = {
            "simulated_days": round(ci["mean"] or 0.0, 3),
            "ci95": [round(ci["low"] or 0.0, 3), round(ci["high"] or 0.0, 3)],
            "erlang_c_days": round(predicted, 3),
            "within_ci": bool(ci["low"] is not None and ci["high"] is not None
                              and ci["low"] <= predicted <= ci["high"]),
            "relative_error": round(abs((ci["mean"] or 0.0) - predicted) / predicted, 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=120)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--theory-seeds", type=int, default=8)
    parser.add_argument("--theory-years", type=float, default=0.5)
    args = parser.parse_args()
    violations = 0
    t0 = time.perf_counter()
    try:
        run = simulate(parse_scenario({"profile": {"places": args.places}}), 1, args.years)
    except InvariantViolation as e:
        print(f"invariant violated: {e}", file=sys.stderr)
        violations, run = 1, {}
    wall = time.perf_counter() - t0
    print(f"speed: {args.years} years at {args.places} places in {wall:.1f} s",
          file=sys.stderr)
    theory = {}
    for load, row in erlang_c_check(args.theory_seeds, args.theory_years).items():
        theory[load] = row
        print(f"theory: load {load}: {row}", file=sys.stderr)
    print(json.dumps({
        "sim_years_per_minute": round(args.years / wall * 60, 2), "wall_seconds": round(wall, 1),
        "places": args.places, "years": args.years, "events": run.get("events"),
        "invariant_checks": run.get("invariant_checks"), "invariant_violations": violations,
        "erlang_c_relative_error": max(t["relative_error"] for t in theory.values()),
        "erlang_c": theory}))


if __name__ == "__main__":
    main()
